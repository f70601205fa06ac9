"""The ``Embedder`` port on wordllama: the local runtime's embedded default, no server and no download.

wordllama averages a large model's token embeddings projected to 256 dimensions; its ``l2_supercat`` weights ship
inside the wheel (``wordllama/weights``), so loading reads only the installed package (``disable_download``). The
package is in the ``local`` extra only: the AWS deps layer never carries it. It is nowhere near a hosted model's
quality, but deterministic, offline and fast (10,000 short texts in well under a second on two cores), so a
knowledge base is indexed while a developer waits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from masteria.ai.shapes import Embeddings

SETTING = "local:wordllama"  # the AI_EMBEDDING_MODEL that chooses this embedder
MODEL = "wordllama-l2-supercat-256"
CONFIG = "l2_supercat"
DIMENSIONS = 256
BATCH = 64  # wordllama pads each batch to its longest text: small batches of short texts waste the least

_lock = threading.Lock()
_model: Any = None
_counter: Any = None


def _import_wordllama() -> Any:
    """``import wordllama``, without its ``logging.basicConfig(level=INFO)``: on a process whose root logger has no
    handler yet, that call would add one and print every library's INFO lines. A handler held on the root logger
    during the import makes it a no-op."""
    root, guard = logging.getLogger(), logging.NullHandler()
    root.addHandler(guard)
    try:
        import wordllama
    finally:
        root.removeHandler(guard)
    return wordllama


MAX_TOKENS = 1024  # (a knowledge-base chunk is a few hundred)


def _load() -> Any:
    """The model, loaded once per process (about 0.1 s after a 0.6 s import), whichever thread asks first."""
    global _model  # noqa: PLW0603 - one model per process, shared by every embedder
    if _model is None:
        with _lock:
            if _model is None:
                wordllama = _import_wordllama()
                package = Path(wordllama.__file__).parent
                model = wordllama.WordLlama.load(
                    config=CONFIG, dim=DIMENSIONS, cache_dir=package, disable_download=True
                )
                # a batch is padded to its longest text (batch x tokens x 256 floats, twice): a long text counts
                # by its first MAX_TOKENS tokens, so one 50,000-token document cannot take gigabytes
                model.tokenizer.enable_truncation(max_length=MAX_TOKENS)
                _model = model
    return _model


def _untruncated() -> Any:
    """A copy of the model's tokenizer that counts a text's every token (the model's own stops at ``MAX_TOKENS``)."""
    global _counter  # noqa: PLW0603 - one tokenizer per process, like the model
    if _counter is None:
        model = _load()
        with _lock:
            if _counter is None:
                from tokenizers import Tokenizer  # wordllama's own dependency (the local extra)

                tokenizer = Tokenizer.from_str(model.tokenizer.to_str())
                tokenizer.no_truncation()
                tokenizer.no_padding()
                _counter = tokenizer
    return _counter


class WordLlamaEmbedder:
    """Vectors of 256 floats, L2-normalised (cosine similarity is then their dot product); a text with no token
    (an empty string) gets the zero vector rather than a division by zero."""

    model = MODEL
    dimensions = DIMENSIONS

    def embed(self, texts: Sequence[str]) -> Embeddings:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one str")
        if not texts:
            return Embeddings(MODEL, DIMENSIONS, [])
        import numpy as np  # wordllama's own dependency, so also in the local extra only

        pooled = _load().embed(list(texts), norm=False, batch_size=BATCH)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit = np.divide(pooled, norms, out=np.zeros_like(pooled), where=norms > 0)
        return Embeddings(MODEL, DIMENSIONS, unit.tolist())

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """How many tokens of the model each text is, in full (the knowledge base's chunker counts with it: a chunk is
        then what the model reads, never cut off at ``MAX_TOKENS``)."""
        if isinstance(texts, str):
            raise TypeError("count_tokens() takes a sequence of texts, not one str")
        if not texts:
            return []
        return [len(encoding.ids) for encoding in _untruncated().encode_batch(list(texts), add_special_tokens=False)]

    def warm(self) -> None:
        """Load the model now (e.g. at start-up, off the request path)."""
        _load()
