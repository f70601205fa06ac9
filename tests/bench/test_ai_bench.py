"""The local embedder's throughput: 10,000 short pt-BR texts (knowledge-base chunks and customer questions are
mostly this short) embedded in one call, vectors back as Python lists, after the model is loaded."""

from __future__ import annotations

import time

import pytest

from masteria.adapters.local.wordllama_embedder import WordLlamaEmbedder
from tests.bench.results import report

TEXTS = 10_000
PHRASES = ["Qual o preço do plano {n}?", "Vocês entregam no CEP {n}?", "Quero remarcar o pedido {n} para amanhã às 10h"]


@pytest.mark.bench
def test_local_embedder_throughput() -> None:
    embedder = WordLlamaEmbedder()
    embedder.warm()
    texts = [PHRASES[n % len(PHRASES)].format(n=n) for n in range(TEXTS)]
    embedder.embed(texts[:100])  # the first call's one-off costs (numpy's, the tokenizer's threads)

    started = time.perf_counter()
    result = embedder.embed(texts)
    elapsed = time.perf_counter() - started

    assert len(result.vectors) == TEXTS and len(result.vectors[0]) == 256
    report("local_embedder_10k_short_texts_s", elapsed, "s", "< 1")
    report("local_embedder_texts_per_s", TEXTS / elapsed, "texts/s", ">= 10000")
