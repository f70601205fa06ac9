"""Retrieval: the passages of a company's knowledge bases that best answer a question, from two searches fused.

* Vector: the question embedded by ``embedder``, nearest chunks by cosine distance through the HNSW index of the
  embedder's length (``embedding::vector(N)``, the index's own expression). Row-level security and the knowledge-base
  filter apply after the index has found its candidates, so an index scan that stopped at ``ef_search`` candidates
  could return fewer rows than asked when other companies' chunks crowd the neighbourhood; pgvector 0.8's iterative
  scan (``hnsw.iterative_scan = relaxed_order``) keeps scanning until enough rows pass (or ``hnsw.max_scan_tuples``),
  and the rows are sorted again after it (relaxed order). Only chunks embedded by the same model are compared: a
  knowledge base of another model (or one part-way through re-embedding) is found by full text alone.
* Full text: the chunks' generated ``search`` vector (portuguese and english, accents folded) against the question
  read by ``websearch_to_tsquery`` in both configurations, its words (less both languages' stop words) joined by
  ``or`` (a question's words are rarely all in the passage that answers it), ranked by ``ts_rank`` (the chunks that
  have every word first), each of the two queries ranking at most ``TEXT_MATCHES`` matches. Row-level security keeps
  the GIN index out of it (see ``TEXT_SCAN_LIMIT``): in a knowledge base larger than that, it ranks the vector
  search's ``TEXT_POOL`` nearest chunks instead of every chunk.
* Fusion: reciprocal rank fusion, ``1 / (60 + rank)`` summed over the two lists (Cormack et al.), which needs no
  calibration between a cosine and a text rank.

``best_similarity`` is the confidence signal the AI responder hands off on: the highest cosine similarity of the
passages to the question (``None`` when no passage was compared).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from masteria.knowledge.models import SEARCH_CONFIGS, fold
from masteria.ports import Embedder

RRF_K = 60
# Each search's list before fusion: the top 2k of each (10 at least). A deeper list lets the weaker search's long tail
# outvote the other's good answers: on the pt-BR FAQ benchmark (tests/bench/test_knowledge_bench.py) fused recall@5
# was 90.0% with lists of 10 and 87.1% with lists of 40 (the same questions: this depth was chosen on them).
CANDIDATES = 10
EF_SEARCH = 100
TEXT_MATCHES = 500  # chunks each full-text query ranks, at most (see _text_hits_sql)
# Row-level security keeps the GIN index out of the full-text search: PostgreSQL applies a query's own conditions
# after the policy's unless their operator is leakproof, and ``@@`` is not (only a superuser could mark it), so the
# search reads every chunk of its knowledge bases: about 6 µs a chunk (measured, 100,000 chunks: 550 to 650 ms;
# HNSW's ordering is no condition, so the vector search keeps its index: 3 to 5 ms). Up to TEXT_SCAN_LIMIT chunks
# (a few thousand pages of documents) the full text searches them all; past it, it ranks the vector search's
# TEXT_POOL nearest chunks (a re-ranking by the question's words of the semantic neighbourhood).
TEXT_SCAN_LIMIT = 5_000
TEXT_POOL = 60
MAX_TERMS = 32  # words of the question the full-text search uses
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Passage:
    chunk_id: uuid.UUID
    knowledge_base_id: uuid.UUID
    document_id: uuid.UUID
    document_title: str
    heading: str
    text: str
    similarity: float | None  # cosine similarity to the question; None: another model's chunk
    vector_rank: int | None  # 1-based; None: not among the vector search's candidates
    text_rank: int | None  # 1-based; None: not among the full-text search's candidates
    score: float  # the fused score


def best_similarity(passages: Sequence[Passage]) -> float | None:
    """The highest cosine similarity among ``passages`` (the "is the knowledge any good for this?" signal)."""
    found = [p.similarity for p in passages if p.similarity is not None]
    return max(found) if found else None


def vector_literal(vector: Sequence[float]) -> str:
    """A vector as pgvector's text input (``[0.1,0.2]``)."""
    return "[" + ",".join(format(float(v), ".7g") for v in vector) + "]"


def _dimensions(value: int) -> int:
    if not isinstance(value, int) or not 0 < value <= 16_000:
        raise ValueError(f"an embedding length must be a positive integer, not {value!r}")
    return value


def vector_hits(
    session: Session,
    *,
    model: str,
    dimensions: int,
    vector: Sequence[float],
    knowledge_base_ids: Sequence[uuid.UUID],
    limit: int = CANDIDATES,
) -> list[tuple[uuid.UUID, float]]:
    """(chunk id, cosine distance) of the nearest chunks of ``model``, nearest first."""
    n = _dimensions(dimensions)
    session.execute(
        text(
            "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', :ef, true)"
        ),
        {"ef": str(max(EF_SEARCH, limit))},
    )
    rows = session.execute(
        text(
            "WITH nearest AS MATERIALIZED ("  # noqa: S608 - ``n`` is an int checked by _dimensions; every value is bound
            f" SELECT id, embedding::vector({n}) <=> CAST(:q AS vector({n})) AS distance FROM knowledge_chunks"
            f" WHERE dimensions = {n} AND embedding_model = :model AND knowledge_base_id = ANY(CAST(:kbs AS uuid[]))"
            f" ORDER BY embedding::vector({n}) <=> CAST(:q AS vector({n})) LIMIT :limit"
            ") SELECT id, distance FROM nearest ORDER BY distance, id"
        ),
        {"q": vector_literal(vector), "model": model, "kbs": list(knowledge_base_ids), "limit": limit},
    ).all()
    return [(row.id, float(row.distance)) for row in rows]


def question_words(question: str) -> list[str]:
    """The question's words (``or`` left out: ``websearch_to_tsquery`` would read it as the operator)."""
    return [w for w in _WORD.findall(question.lower()) if len(w) > 1 and w != "or"][:MAX_TERMS]


def _not_stop(word: str) -> str:
    return " AND ".join(f"to_tsvector('{c}', {w}) <> ''::tsvector" for c in SEARCH_CONFIGS for w in (word, fold(word)))


def _both(words: str) -> str:
    """``words`` read in every configuration, accents folded: one query matching what any configuration reads."""
    return " || ".join(f"websearch_to_tsquery('{c}', {fold(words)})" for c in SEARCH_CONFIGS)


# The question's words that are no stop word in either configuration, before accents are folded and after (the
# stop-word lists are accented, "não", and "é" folded is the stop word "e"); stop words of one language are not
# dropped by the other's configuration ("de" is no English stop word), and left in they would match almost every
# chunk. They make two queries, each read in both configurations, accents folded: every word (the chunks that have
# them all rank first), and any word; each ranks at most ``TEXT_MATCHES`` matches (``ts_rank`` reads every chunk
# it ranks, and a common word matches most chunks of a large knowledge base).
def _text_hits_sql(among: bool) -> str:
    scope = "c.knowledge_base_id = ANY(CAST(:kbs AS uuid[]))" + (
        " AND c.id = ANY(CAST(:among AS uuid[]))" if among else ""
    )
    return (
        "WITH terms AS (SELECT string_agg(w, ' ') AS every_word, string_agg(w, ' or ') AS any_word"  # noqa: S608 - constant SQL; the words are bound
        f" FROM unnest(CAST(:words AS text[])) AS w WHERE {_not_stop('w')}),"
        f" q AS (SELECT {_both('every_word')} AS every_word, {_both('any_word')} AS any_word FROM terms),"
        f" every_match AS MATERIALIZED (SELECT c.id, c.search FROM knowledge_chunks c, q"
        f" WHERE {scope} AND c.search @@ q.every_word LIMIT :cap),"
        f" any_match AS MATERIALIZED (SELECT c.id, c.search FROM knowledge_chunks c, q"
        f" WHERE {scope} AND c.search @@ q.any_word LIMIT :cap)"
        " SELECT id, max(rank) AS rank FROM ("
        " SELECT m.id, 1 + ts_rank(m.search, q.every_word) AS rank FROM every_match m, q"
        " UNION ALL SELECT m.id, ts_rank(m.search, q.any_word) FROM any_match m, q"
        ") ranked GROUP BY id ORDER BY rank DESC, id LIMIT :limit"
    )


_TEXT_HITS = {among: _text_hits_sql(among) for among in (False, True)}


def text_hits(
    session: Session,
    *,
    question: str,
    knowledge_base_ids: Sequence[uuid.UUID],
    limit: int = CANDIDATES,
    among: Sequence[uuid.UUID] | None = None,
) -> list[tuple[uuid.UUID, float]]:
    """(chunk id, text rank) of the chunks matching the question's words best, best first; only chunks ``among``
    these, when given."""
    words = question_words(question)
    if not words:
        return []
    values: dict[str, object] = {"words": words, "kbs": list(knowledge_base_ids), "limit": limit, "cap": TEXT_MATCHES}
    if among is not None:
        values["among"] = list(among)
    rows = session.execute(text(_TEXT_HITS[among is not None]), values).all()
    return [(row.id, float(row.rank)) for row in rows]


def chunk_count(session: Session, knowledge_base_ids: Sequence[uuid.UUID]) -> int:
    """How many chunks ``knowledge_base_ids`` hold (their documents' counts, kept by the ingestion: no chunk read)."""
    return int(
        session.execute(
            text(
                "SELECT coalesce(sum(chunk_count), 0) FROM knowledge_documents"
                " WHERE knowledge_base_id = ANY(CAST(:kbs AS uuid[]))"
            ),
            {"kbs": list(knowledge_base_ids)},
        ).scalar_one()
    )


def fuse(*ranked: Sequence[uuid.UUID], k: int = RRF_K) -> list[tuple[uuid.UUID, float]]:
    """Reciprocal rank fusion of ranked lists of ids: (id, score), best first (ties: the first list's order)."""
    scores: dict[uuid.UUID, float] = {}
    for ids in ranked:
        for rank, chunk_id in enumerate(ids, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank)
    order: dict[uuid.UUID, int] = {}
    for chunk_id in (chunk_id for ids in ranked for chunk_id in ids):
        order.setdefault(chunk_id, len(order))
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


def search(
    session: Session,
    *,
    embedder: Embedder,
    knowledge_base_ids: Sequence[uuid.UUID],
    question: str,
    k: int = 5,
    use_vector: bool = True,
    use_text: bool = True,
) -> list[Passage]:
    """``retrieve`` with either search left out (the benchmark compares each alone with both)."""
    ids = list(dict.fromkeys(knowledge_base_ids))
    if not ids or not question.strip() or k < 1:
        return []
    limit = max(CANDIDATES, 2 * k)
    vector = embedder.embed([question]).vectors[0] if use_vector else None
    compared = vector is not None and any(vector)
    # Large knowledge bases: the full text ranks the vector search's TEXT_POOL nearest chunks (see TEXT_SCAN_LIMIT)
    pooled = compared and use_text and chunk_count(session, ids) > TEXT_SCAN_LIMIT
    nearest = (
        vector_hits(
            session,
            model=embedder.model,
            dimensions=embedder.dimensions,
            vector=vector,  # type: ignore[arg-type]
            knowledge_base_ids=ids,
            limit=max(limit, TEXT_POOL) if pooled else limit,
        )
        if compared
        else []
    )
    by_vector = nearest[:limit]
    among = [chunk_id for chunk_id, _ in nearest] if pooled else None
    by_text = (
        text_hits(session, question=question, knowledge_base_ids=ids, limit=limit, among=among) if use_text else []
    )
    vector_ranks = {chunk_id: rank for rank, (chunk_id, _) in enumerate(by_vector, start=1)}
    text_ranks = {chunk_id: rank for rank, (chunk_id, _) in enumerate(by_text, start=1)}
    fused = fuse([c for c, _ in by_vector], [c for c, _ in by_text])[:k]
    if not fused:
        return []
    n = _dimensions(embedder.dimensions)
    similarity = (
        f"CASE WHEN c.dimensions = {n} AND c.embedding_model = :model"
        f" THEN 1 - (c.embedding::vector({n}) <=> CAST(:q AS vector({n}))) END"
        if vector is not None
        else "NULL"
    )
    rows = session.execute(
        text(
            "SELECT c.id, c.knowledge_base_id, c.document_id, d.title, c.heading, c.text,"  # noqa: S608 - ``n`` is an int checked by _dimensions; every value is bound
            f" {similarity} AS similarity"
            " FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id"
            " WHERE c.id = ANY(CAST(:ids AS uuid[]))"
        ),
        {
            "ids": [chunk_id for chunk_id, _ in fused],
            "model": embedder.model,
            **({"q": vector_literal(vector)} if vector is not None else {}),
        },
    ).all()
    found = {row.id: row for row in rows}
    passages = []
    for chunk_id, score in fused:
        row = found.get(chunk_id)
        if row is None:  # deleted between the searches and this read
            continue
        passages.append(
            Passage(
                chunk_id=row.id,
                knowledge_base_id=row.knowledge_base_id,
                document_id=row.document_id,
                document_title=row.title,
                heading=row.heading,
                text=row.text,
                similarity=None if row.similarity is None else float(row.similarity),
                vector_rank=vector_ranks.get(chunk_id),
                text_rank=text_ranks.get(chunk_id),
                score=score,
            )
        )
    return passages


def retrieve(
    session: Session, *, embedder: Embedder, knowledge_base_ids: Sequence[uuid.UUID], question: str, k: int = 5
) -> list[Passage]:
    """The ``k`` passages of ``knowledge_base_ids`` (the session's company's: row-level security hides any other's)
    that best answer ``question``: vector and full-text searches fused by reciprocal rank. The embedder must be the
    knowledge bases' model for their vectors to count (``embedder.model``); ``ModelError`` when it fails."""
    return search(session, embedder=embedder, knowledge_base_ids=knowledge_base_ids, question=question, k=k)
