"""The embedded wordllama embedder: the weights shipped in the wheel, loaded once for this module (about 0.7 s)."""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from masteria.adapters.local import wordllama_embedder as local_embedder
from masteria.adapters.local.wordllama_embedder import WordLlamaEmbedder


@pytest.fixture(scope="module")
def embedder() -> WordLlamaEmbedder:
    embedder = WordLlamaEmbedder()
    embedder.warm()
    return embedder


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))  # the vectors are unit length


def test_its_model_and_dimensions_are_known_before_any_call() -> None:
    assert (WordLlamaEmbedder.model, WordLlamaEmbedder.dimensions) == ("wordllama-l2-supercat-256", 256)


def test_vectors_have_256_dimensions_and_unit_length(embedder: WordLlamaEmbedder) -> None:
    result = embedder.embed(["Qual é o preço do plano mensal?", "Olá", "ok"])
    assert (result.model, result.dimensions, len(result.vectors)) == ("wordllama-l2-supercat-256", 256, 3)
    for vector in result.vectors:
        assert len(vector) == 256
        assert math.fsum(x * x for x in vector) == pytest.approx(1.0, abs=1e-5)


def test_the_same_text_gives_the_same_vector(embedder: WordLlamaEmbedder) -> None:
    text = "Vocês entregam em São Paulo?"
    first, again = embedder.embed([text]).vectors[0], embedder.embed([text]).vectors[0]
    assert first == again
    # beside other texts (another batch, padded to another length) it is the same vector, to float precision
    among = embedder.embed(["Bom dia", text, "Quero falar com um atendente humano agora mesmo, por favor"]).vectors[1]
    assert among == pytest.approx(first, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "similar", "unrelated"),
    [
        ("Vocês entregam em São Paulo?", "Fazem entrega na cidade de São Paulo?", "Meu time perdeu o jogo ontem."),
        ("Qual o horário de funcionamento da loja?", "A loja abre que horas?", "Choveu muito na viagem à praia."),
        (
            "Quero agendar uma reunião amanhã às 10h.",
            "Podemos marcar um horário para amanhã de manhã?",
            "A pizza de calabresa estava deliciosa.",
        ),
    ],
)
def test_similar_sentences_are_closer_than_unrelated_ones(
    embedder: WordLlamaEmbedder, text: str, similar: str, unrelated: str
) -> None:
    a, b, c = embedder.embed([text, similar, unrelated]).vectors
    assert cosine(a, b) > cosine(a, c) + 0.1
    assert cosine(a, b) > cosine(b, c) + 0.1


def test_no_texts_give_no_vectors_and_a_text_without_tokens_the_zero_vector(embedder: WordLlamaEmbedder) -> None:
    assert embedder.embed([]).vectors == []
    assert embedder.embed(()).dimensions == 256
    (empty,) = embedder.embed([""]).vectors
    assert empty == [0.0] * 256  # not NaN: a division by a zero norm would poison every search it took part in


def test_one_str_is_refused_rather_than_embedded_letter_by_letter(embedder: WordLlamaEmbedder) -> None:
    with pytest.raises(TypeError):
        embedder.embed("Olá")


def test_the_model_is_loaded_once_however_many_threads_ask_at_once(
    embedder: WordLlamaEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a process that has not loaded the model yet, and a load that counts itself
    wordllama = local_embedder._import_wordllama()
    real_load, loads, package = wordllama.WordLlama.load, [], Path(wordllama.__file__).parent

    def counted(**arguments: Any) -> Any:
        loads.append(arguments)
        return real_load(**arguments)

    monkeypatch.setattr(wordllama.WordLlama, "load", counted)
    monkeypatch.setattr(local_embedder, "_model", None)
    # WHEN eight threads embed at the same moment
    start = threading.Barrier(8)

    def first_vector() -> list[float]:
        start.wait()
        return WordLlamaEmbedder().embed(["Bom dia"]).vectors[0]

    with ThreadPoolExecutor(8) as pool:
        vectors = list(pool.map(lambda _: first_vector(), range(8)))
    # THEN the weights shipped in the package were read once, never downloaded, and every thread got the same vector
    assert loads == [{"config": "l2_supercat", "dim": 256, "cache_dir": package, "disable_download": True}]
    assert all(vector == vectors[0] for vector in vectors)
