"""Operational functions run by the deployment itself (not by users or queues)."""
