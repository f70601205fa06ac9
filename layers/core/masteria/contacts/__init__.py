"""Contacts: the CRM (contacts, custom fields, tags, consent, audiences)."""
