"""Outgoing webhooks: endpoints, Standard Webhooks signatures, queued delivery with retries, SSRF guard."""
