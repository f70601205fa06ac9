"""Retrieval on the real database: vector and full-text searches fused, row-level security without lost results
(pgvector's iterative index scans), accents folded, other models' chunks found by full text only."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from masteria.adapters.local.wordllama_embedder import WordLlamaEmbedder
from masteria.bootstrap import Container
from masteria.knowledge import retrieval
from masteria.knowledge.models import hnsw_index_name
from masteria.knowledge.retrieval import vector_literal
from tests.api import Account, sign_up

EMBEDDER = WordLlamaEmbedder()
MODEL = EMBEDDER.model


def _base(container: Container, account: Account, name: str = "kb") -> tuple[uuid.UUID, uuid.UUID]:
    """A knowledge base and one ready document in it, written as the company (its ids)."""
    company = uuid.UUID(account.company_id)
    with container.database.tenant(company) as session:
        base = session.execute(
            text(
                "INSERT INTO knowledge_bases (company_id, name, embedding_model, dimensions)"
                " VALUES (:c, :n, :m, 256) RETURNING id"
            ),
            {"c": company, "n": name, "m": MODEL},
        ).scalar_one()
        document = session.execute(
            text(
                "INSERT INTO knowledge_documents (company_id, knowledge_base_id, title, source, format, status)"
                " VALUES (:c, :b, :t, 'upload', 'markdown', 'ready') RETURNING id"
            ),
            {"c": company, "b": base, "t": f"{name} doc"},
        ).scalar_one()
    return base, document


def _chunks(  # noqa: PLR0917 - a test helper read as _chunks(container, a, base, document, texts)
    container: Container,
    account: Account,
    base: uuid.UUID,
    document: uuid.UUID,
    texts: Sequence[str],
    vectors: Sequence[Sequence[float]] | None = None,
    *,
    model: str = MODEL,
) -> list[uuid.UUID]:
    vectors = vectors if vectors is not None else EMBEDDER.embed(list(texts)).vectors
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        ids = session.execute(
            text(
                "INSERT INTO knowledge_chunks (company_id, knowledge_base_id, document_id, position, heading, text,"
                " token_count, embedding, dimensions, embedding_model)"
                " SELECT :c, :b, :d, n - 1, '', body, 10, CAST(e AS vector), 256, :m"
                " FROM unnest(CAST(:texts AS text[]), CAST(:vectors AS text[])) WITH ORDINALITY AS t(body, e, n)"
                " ORDER BY n RETURNING id"
            ),
            {
                "c": uuid.UUID(account.company_id), "b": base, "d": document, "m": model, "texts": list(texts),
                "vectors": [vector_literal(v) for v in vectors],
            },
        ).scalars()  # fmt: skip
        return list(ids)


def _near(vector: Sequence[float], rng: random.Random, spread: float) -> list[float]:
    noisy = [v + rng.gauss(0, spread) for v in vector]
    norm = math.sqrt(sum(v * v for v in noisy))
    return [v / norm for v in noisy]


def test_other_companies_chunks_crowding_the_neighbourhood_lose_no_result(
    client: TestClient, container: Container, owner_engine: Engine
) -> None:
    # GIVEN company A's 3,000 chunks, and company B's 3,000 chunks nearer to the question than any of A's (A has
    # enough for the planner to search by the index: for a few rows it reads them all, exactly, and loses nothing)
    a, b = sign_up(client), sign_up(client)
    question = "Qual é o prazo de entrega para o Nordeste?"
    q = EMBEDDER.embed([question]).vectors[0]
    a_base, a_doc = _base(container, a, "A")
    topics = ("jardinagem", "vasos", "plantas", "adubo", "regas", "sementes", "podas", "hortas")
    texts = [f"Dica {n} de {topics[n % 8]} e {topics[(n // 8) % 8]} para o inverno." for n in range(3000)]
    ours = _chunks(container, a, a_base, a_doc, texts)
    b_base, b_doc = _base(container, b, "B")
    rng = random.Random(7)
    _chunks(
        container, b, b_base, b_doc, [f"Entrega {n}" for n in range(3000)], [_near(q, rng, 0.01) for _ in range(3000)]
    )
    with owner_engine.begin() as connection:
        connection.execute(text("ANALYZE knowledge_chunks"))
    with container.database.tenant(uuid.UUID(a.company_id)) as session:
        # the search goes through the HNSW index of its length
        plan = session.execute(
            text(
                "EXPLAIN SELECT id FROM knowledge_chunks WHERE dimensions = 256 AND embedding_model = :m"
                " AND knowledge_base_id = ANY(CAST(:kbs AS uuid[]))"
                " ORDER BY embedding::vector(256) <=> CAST(:q AS vector(256)) LIMIT 40"
            ),
            {"m": MODEL, "kbs": [a_base, b_base], "q": vector_literal(q)},
        ).scalars()
        assert hnsw_index_name(256) in "\n".join(plan)
        # WHEN company A retrieves
        passages = retrieval.retrieve(
            session, embedder=EMBEDDER, knowledge_base_ids=[a_base, b_base], question=question
        )
        hits = retrieval.vector_hits(
            session, model=MODEL, dimensions=256, vector=q, knowledge_base_ids=[a_base, b_base], limit=20
        )
        # (without the iterative scan, the index's first candidates are all B's: RLS leaves fewer than asked)
        session.execute(text("SELECT set_config('hnsw.iterative_scan', 'off', true)"))
        plain = session.execute(
            text(
                "SELECT id FROM knowledge_chunks WHERE dimensions = 256 AND embedding_model = :m"
                " AND knowledge_base_id = ANY(CAST(:kbs AS uuid[]))"
                " ORDER BY embedding::vector(256) <=> CAST(:q AS vector(256)) LIMIT 20"
            ),
            {"m": MODEL, "kbs": [a_base, b_base], "q": vector_literal(q)},
        ).all()
    # THEN it gets its k passages and 20 vector hits, all its own, never one of B's
    assert len(passages) == 5 and {p.chunk_id for p in passages} <= set(ours)
    assert {p.knowledge_base_id for p in passages} == {a_base}
    assert len(hits) == 20 and {chunk for chunk, _ in hits} <= set(ours)
    assert [d for _, d in hits] == sorted(d for _, d in hits)  # sorted again after the relaxed-order scan
    assert len(plain) < 20
    # AND B's knowledge base alone gives A nothing at all
    with container.database.tenant(uuid.UUID(a.company_id)) as session:
        assert retrieval.retrieve(session, embedder=EMBEDDER, knowledge_base_ids=[b_base], question=question) == []


def test_fusion_ranks_what_both_searches_find_first(client: TestClient, container: Container) -> None:
    a = sign_up(client)
    base, document = _base(container, a)
    texts = [
        "O prazo de entrega para o Nordeste é de 5 a 12 dias úteis.",  # both searches
        "Entregamos em todas as cidades do Brasil pelos Correios.",
        "Nordeste: lojas em Recife, Salvador e Fortaleza.",
        "A montagem dos móveis é gratuita acima de R$ 1.500.",
        "Trocas em até 30 dias com a nota fiscal.",
    ]
    ids = _chunks(container, a, base, document, texts)
    with container.database.tenant(uuid.UUID(a.company_id)) as session:
        passages = retrieval.retrieve(
            session, embedder=EMBEDDER, knowledge_base_ids=[base], question="qual o prazo de entrega no nordeste", k=5
        )
    assert passages[0].chunk_id == ids[0]
    assert passages[0].vector_rank == 1 and passages[0].text_rank == 1
    for p in passages:
        expected = sum(1 / (retrieval.RRF_K + r) for r in (p.vector_rank, p.text_rank) if r is not None)
        assert math.isclose(p.score, expected)
        assert p.similarity is not None and -1 <= p.similarity <= 1 and p.document_title == "kb doc"
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert retrieval.best_similarity(passages) == max(p.similarity for p in passages if p.similarity is not None)
    # the montage chunk has none of the question's words: found by the vector search only
    montage = next(p for p in passages if p.chunk_id == ids[3])
    assert montage.text_rank is None and montage.vector_rank is not None


def test_full_text_folds_accents_and_finds_other_models_chunks(client: TestClient, container: Container) -> None:
    a = sign_up(client)
    base, document = _base(container, a)
    rng = random.Random(1)
    (other_model,) = _chunks(
        container, a, base, document, ["O preço do plano Básico é R$ 49 por mês."],
        [_near([1.0] * 256, rng, 0.1)], model="another-model",
    )  # fmt: skip
    with container.database.tenant(uuid.UUID(a.company_id)) as session:
        hits = retrieval.text_hits(session, question="quanto e o preco do plano basico", knowledge_base_ids=[base])
        passages = retrieval.retrieve(
            session, embedder=EMBEDDER, knowledge_base_ids=[base], question="qual o preco do plano basico?"
        )
        only_stop_words = retrieval.text_hits(session, question="o que é isso?", knowledge_base_ids=[base])
    assert [chunk for chunk, _ in hits] == [other_model]
    # a chunk of another model is never compared with this model's vector: full text only, and no similarity
    assert len(passages) == 1 and passages[0].chunk_id == other_model
    assert (passages[0].vector_rank, passages[0].text_rank, passages[0].similarity) == (None, 1, None)
    assert retrieval.best_similarity(passages) is None
    assert only_stop_words == []


def test_nothing_to_search_returns_nothing(client: TestClient, container: Container) -> None:
    a = sign_up(client)
    base, _ = _base(container, a)
    with container.database.tenant(uuid.UUID(a.company_id)) as session:
        assert retrieval.retrieve(session, embedder=EMBEDDER, knowledge_base_ids=[], question="oi") == []
        assert retrieval.retrieve(session, embedder=EMBEDDER, knowledge_base_ids=[base], question="   ") == []
        assert retrieval.retrieve(session, embedder=EMBEDDER, knowledge_base_ids=[base], question="entrega") == []


def test_past_the_scan_limit_the_full_text_ranks_the_vector_searchs_nearest(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = sign_up(client)
    base, document = _base(container, a)
    rng = random.Random(3)
    question = "qual o prazo de entrega?"
    q = EMBEDDER.embed([question]).vectors[0]
    # 200 chunks near the question without its words, and one with its words far from it
    near = _chunks(
        container, a, base, document, [f"Texto {n}" for n in range(200)], [_near(q, rng, 0.02) for _ in range(200)]
    )
    (far,) = _chunks(container, a, base, document, ["O prazo de entrega é de 5 dias."], [[-v for v in q]])
    with container.database.tenant(uuid.UUID(a.company_id)) as session:
        session.execute(text("UPDATE knowledge_documents SET chunk_count = 201 WHERE id = :d"), {"d": document})
        assert retrieval.chunk_count(session, [base]) == 201
        whole = retrieval.retrieve(session, embedder=EMBEDDER, knowledge_base_ids=[base], question=question)
        monkeypatch.setattr(retrieval, "TEXT_SCAN_LIMIT", 100)
        pooled = retrieval.retrieve(session, embedder=EMBEDDER, knowledge_base_ids=[base], question=question)
        among = retrieval.text_hits(session, question=question, knowledge_base_ids=[base], among=near[:5])
    # searched whole, the full text finds the far chunk; past the limit it only re-ranks the nearest
    assert far in {p.chunk_id for p in whole} and next(p for p in whole if p.chunk_id == far).text_rank == 1
    assert far not in {p.chunk_id for p in pooled} and len(pooled) == 5
    assert among == []
