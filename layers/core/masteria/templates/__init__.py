"""Message templates: local text templates with variables, and WhatsApp templates mirrored from Meta."""
