"""The SMS channel: the text rules every SMS provider shares (encoding and segments), then its providers."""
