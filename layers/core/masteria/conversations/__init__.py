"""Conversations and messages: the inbound pipeline and the shared inbox."""
