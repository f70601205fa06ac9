"""Drip cadences: versioned steps, enrollments, the tick that runs them and the ledger of their sends."""
