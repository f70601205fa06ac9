"""Knowledge bases: documents uploaded or fetched, extracted to text with headings, chunked by tokens, embedded and
stored beside a full-text vector; retrieval fuses the vector and the full-text searches (``retrieval.retrieve``)."""
