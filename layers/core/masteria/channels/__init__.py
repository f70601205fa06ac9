"""Channels: connections to WhatsApp (Cloud API, QR-linked) and SMS providers, and their clients."""
