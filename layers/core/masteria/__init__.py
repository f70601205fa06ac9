"""Master IA: the domain shared by every function (shipped as the core Lambda layer)."""
