"""AI: the shapes the ``LLM`` and ``Embedder`` ports speak (the ports are in ``masteria.ports``), the adapters to
any OpenAI-compatible API (the embedded wordllama is ``adapters/local/wordllama_embedder``) and what a call costs.
Personas, retrieval and the responder build on these."""
