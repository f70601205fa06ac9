"""The sandbox of Meta's Graph API: the local runtime's stand-in for Meta, checked against Meta's own spec."""
