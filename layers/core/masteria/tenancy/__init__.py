"""Tenancy and auth: companies, users, roles, tokens."""
