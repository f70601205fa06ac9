"""Chunks of about ``max_tokens`` tokens, overlapping, never across a section, each under its heading path; tokens
counted by the embedder's own tokenizer where it has one."""

from __future__ import annotations

import itertools
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masteria.adapters.local.wordllama_embedder import WordLlamaEmbedder
from masteria.knowledge.chunking import approximate_tokens, chunk_sections, counter_for
from masteria.knowledge.extraction import Section
from masteria.knowledge.retrieval import fuse


def words(texts: list[str]) -> list[int]:
    """A counter of one token per word: the arithmetic below is then plain to read."""
    return [len(t.split()) for t in texts]


def test_short_sections_are_one_chunk_each_under_their_heading_path() -> None:
    chunks = chunk_sections(
        [Section(("Planos", "Básico"), "Custa R$ 49.\n\nInclui um número."), Section((), "Sem título.")],
        count=words,
    )
    assert [(c.position, c.heading, c.text, c.token_count) for c in chunks] == [
        (0, "Planos > Básico", "Custa R$ 49.\n\nInclui um número.", 6),
        (1, "", "Sem título.", 2),
    ]
    assert chunks[0].embedding_input == "Planos > Básico\nCusta R$ 49.\n\nInclui um número."
    assert chunks[1].embedding_input == "Sem título."


def test_a_long_section_is_cut_at_sentences_with_the_last_sentences_overlapping() -> None:
    sentences = [f"Frase numero {n} tem cinco." for n in range(40)]  # 5 words each
    chunks = chunk_sections([Section(("Longo",), " ".join(sentences))], count=words, max_tokens=30, overlap=10)
    assert all(c.token_count <= 30 and c.heading == "Longo" for c in chunks)
    texts = [c.text for c in chunks]
    assert texts[0] == " ".join(sentences[:6])
    assert texts[1] == " ".join(sentences[4:10])  # starts with the two sentences (10 tokens) before
    for before, after in itertools.pairwise(texts):
        assert after.startswith(" ".join(before.split()[-10:]))
    # every sentence is in some chunk, in order
    assert " ".join(dict.fromkeys(s for t in texts for s in sentences if s in t)) == " ".join(sentences)


def test_a_sentence_longer_than_a_chunk_is_cut_between_words() -> None:
    sentence = " ".join(f"palavra{n}" for n in range(100))
    chunks = chunk_sections([Section((), sentence)], count=words, max_tokens=30, overlap=5)
    assert all(c.token_count <= 30 for c in chunks)
    # runs of 25 words (30 less the overlap), each chunk after the first opening with the 5 last words before it
    assert chunks[0].text.split() == sentence.split()[:25]
    assert chunks[1].text.split() == sentence.split()[20:50]
    assert chunks[-1].text.split()[-1] == "palavra99"


def test_paragraphs_are_kept_together_where_they_fit() -> None:
    paragraphs = [" ".join([f"p{n}"] * 8) for n in range(6)]  # 8 tokens each
    chunks = chunk_sections([Section((), "\n\n".join(paragraphs))], count=words, max_tokens=20, overlap=0)
    assert [c.text for c in chunks] == ["\n\n".join(paragraphs[i : i + 2]) for i in (0, 2, 4)]


def test_the_overlap_must_be_shorter_than_a_chunk() -> None:
    with pytest.raises(ValueError, match="overlap"):
        chunk_sections([Section((), "x")], count=words, max_tokens=10, overlap=10)


def test_the_local_embedder_counts_with_its_own_tokenizer_and_others_are_approximated() -> None:
    embedder = WordLlamaEmbedder()
    count = counter_for(embedder)
    long = "palavra " * 3000
    assert count(["Olá", long]) == embedder.count_tokens(["Olá", long])
    assert count([long])[0] > 1024  # its every token: the model itself reads the first 1,024 only
    assert counter_for(object()) is approximate_tokens
    assert approximate_tokens(["abcd" * 10, "   ", "a"]) == [10, 0, 1]
    text = ". ".join(["O plano básico custa quarenta e nove reais por mês"] * 200)
    chunks = chunk_sections([Section(("Planos",), text)], count=count)
    assert len(chunks) > 1 and all(c.token_count <= 300 for c in chunks)
    assert [c.token_count for c in chunks] == count([c.text for c in chunks])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet="abcdefghij .", min_size=1, max_size=60), min_size=1, max_size=8),
        min_size=1,
        max_size=5,
    ),
    st.integers(min_value=8, max_value=60),
)
def test_no_chunk_is_over_the_limit_and_no_word_is_lost(sections: list[list[str]], max_tokens: int) -> None:
    built = [Section((f"s{i}",), "\n\n".join(paragraphs)) for i, paragraphs in enumerate(sections)]
    chunks = chunk_sections(built, count=words, max_tokens=max_tokens, overlap=max_tokens // 4)
    assert all(c.token_count <= max_tokens for c in chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for section in built:
        expected = section.text.split()
        mine = [c for c in chunks if c.heading == section.headings[0]]
        got = {w for c in mine for w in c.text.split()}
        assert set(expected) <= got


def test_reciprocal_rank_fusion() -> None:
    a, b, c, d = (uuid.UUID(int=n) for n in range(1, 5))
    fused = fuse([a, b, c], [c, d])
    assert [chunk for chunk, _ in fused] == [c, a, b, d]  # c: ranks 3 and 1
    scores = dict(fused)
    assert scores[c] == pytest.approx(1 / 63 + 1 / 61)
    assert scores[a] == pytest.approx(1 / 61)
    assert fuse([a, b], [b, a]) == [(a, pytest.approx(1 / 61 + 1 / 62)), (b, pytest.approx(1 / 62 + 1 / 61))]
    assert fuse([], []) == []
