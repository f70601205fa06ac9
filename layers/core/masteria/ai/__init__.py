"""AI: the shapes the ``LLM`` and ``Embedder`` ports speak (the ports are in ``masteria.ports``), their adapters (any
OpenAI-compatible API, the embedded wordllama) and what a call costs. Personas, retrieval and the responder build on
these."""
