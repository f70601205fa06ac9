"""Campaigns: audience planning into a per-recipient ledger, paced sending, retries, progress, scheduling."""
