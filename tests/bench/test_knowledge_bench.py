"""Knowledge-base figures (issue 18), on the real database with the local embedder (wordllama, 256 dimensions):

* recall@5 of 70 pt-BR questions, written as customers write them, over a 70-entry pt-BR FAQ (tests/fixtures/
  knowledge/faq_pt_br.py), for the vector search alone, the full-text search alone, and both fused;
* retrieval p95 with 100,000 chunks in one company's knowledge base and 50 other companies' chunks beside them
  (1,000 each), as the application role under row-level security (goal ≤ 50 ms): the vector search through HNSW,
  the full text ranking its 60 nearest (past 5,000 chunks: ``retrieval.TEXT_SCAN_LIMIT``);
* ingestion of a 300-page PDF end to end through the worker (extract, chunk, embed, write): pages and chunks a second.

The 150,000 chunks are 20,000 distinct texts of the FAQ's words, embedded by the local embedder, each chunk one of
them with its vector moved a little (``_Pool``); they are loaded in bulk as each company (row-level security checks
every row), the HNSW index of their length dropped for the load and built again after it (as one would for a bulk
load), with the memory an index build needs (``maintenance_work_mem``)."""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from masteria.adapters.local.wordllama_embedder import WordLlamaEmbedder
from masteria.bootstrap import Container
from masteria.knowledge import retrieval
from masteria.knowledge.models import HNSW_EF_CONSTRUCTION, HNSW_M, hnsw_index_name
from masteria.knowledge.retrieval import vector_literal
from tests.api import run_queue, sign_up
from tests.bench.results import machine_busy_seconds, report
from tests.fixtures.knowledge import faq_pt_br
from tests.knowledge_files import pdf

KB = "/v1/knowledge-bases"
MAIN_CHUNKS = 100_000
OTHER_COMPANIES = 50
OTHER_CHUNKS = 1_000
LOAD_BATCH = 5_000
POOL = 20_000
NOISE = 0.02  # per coordinate of a unit vector of 256: a chunk's vector stays its text's nearest
QUERIES = 200
WARM_UP = 20
PAGES = 300
K = 5
INDEX = hnsw_index_name(256)
EMBEDDER = WordLlamaEmbedder()


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def _ingest_faq(client: TestClient, container: Container) -> tuple[str, str]:
    """A company with the FAQ ingested through the API and the worker: (company id, knowledge base id)."""
    owner = sign_up(client)
    kb = client.post(KB, headers=owner.headers, json={"name": "FAQ"}).json()
    upload = client.post(
        f"{KB}/{kb['id']}/documents", headers=owner.headers, files={"file": ("faq.md", faq_pt_br.markdown().encode())}
    )
    assert upload.status_code == 201, upload.text
    run_queue(container, "knowledge_ingester")
    return owner.company_id, kb["id"]


def _recall(container: Container, company: str, kb: str, *, use_vector: bool, use_text: bool) -> float:
    entries = faq_pt_br.by_id()
    found = 0
    with container.database.tenant(uuid.UUID(company)) as session:
        for question, entry_id in faq_pt_br.QUESTIONS:
            passages = retrieval.search(
                session, embedder=EMBEDDER, knowledge_base_ids=[uuid.UUID(kb)], question=question, k=K,
                use_vector=use_vector, use_text=use_text,
            )  # fmt: skip
            found += any(p.heading.endswith(entries[entry_id].question) for p in passages)
    return found / len(faq_pt_br.QUESTIONS)


@pytest.mark.bench
def test_faq_recall_at_5(client: TestClient, container: Container) -> None:
    assert len(faq_pt_br.QUESTIONS) >= 50 and len(faq_pt_br.ENTRIES) >= 60
    company, kb = _ingest_faq(client, container)
    for name, vector, full_text in (("vector", True, False), ("full_text", False, True), ("fused", True, True)):
        value = _recall(container, company, kb, use_vector=vector, use_text=full_text)
        report(f"knowledge_recall_at_5_{name}", 100 * value, "%", ">= 80" if name == "fused" else "")


# ---- 100,000 chunks beside 50 other companies' -------------------------------------------------------------------

_WORDS = sorted({w.strip(".,;:!?()").lower() for e in faq_pt_br.ENTRIES for w in e.answer.split() if len(w) > 3})


def _texts(rng: random.Random, n: int) -> list[str]:
    """Chunk-like pt-BR texts of 40 to 80 of the FAQ's words (the distribution of a store's documents, roughly)."""
    return [" ".join(rng.choices(_WORDS, k=rng.randint(40, 80))) + "." for _ in range(n)]


def _company(container: Container, name: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    company = uuid.uuid4()
    with container.database.tenant(company) as session:
        session.execute(text("INSERT INTO companies (id, name) VALUES (:c, :n)"), {"c": company, "n": name})
        base = session.execute(
            text(
                "INSERT INTO knowledge_bases (company_id, name, embedding_model, dimensions)"
                " VALUES (:c, 'Docs', :m, 256) RETURNING id"
            ),
            {"c": company, "m": EMBEDDER.model},
        ).scalar_one()
        document = _document(session, company, base)
    return company, base, document


def _document(session: object, company: uuid.UUID, base: uuid.UUID) -> uuid.UUID:
    found: uuid.UUID = session.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO knowledge_documents (company_id, knowledge_base_id, title, source, format, status)"
            " VALUES (:c, :b, 'Manual', 'upload', 'text', 'ready') RETURNING id"
        ),
        {"c": company, "b": base},
    ).scalar_one()
    return found


class _Pool:
    """``POOL`` distinct chunk texts embedded once; a chunk is one of them with its vector moved a little (so that no
    two of the 150,000 vectors are equal, as in real documents), which spares embedding 150,000 texts to load them."""

    def __init__(self, rng: random.Random) -> None:
        self.texts = _texts(rng, POOL)
        self.vectors = np.asarray(EMBEDDER.embed(self.texts).vectors, dtype=np.float64)
        self._rng = np.random.default_rng(rng.randrange(2**32))

    def batch(self, n: int) -> tuple[list[str], list[str]]:
        picked = self._rng.integers(0, POOL, n)
        moved = self.vectors[picked] + self._rng.normal(0, NOISE, (n, self.vectors.shape[1]))
        moved /= np.linalg.norm(moved, axis=1, keepdims=True)
        return [self.texts[i] for i in picked], [str(row) for row in np.round(moved, 5).tolist()]


_INSERT = text(
    "INSERT INTO knowledge_chunks (company_id, knowledge_base_id, document_id, position, heading, text, token_count,"
    " embedding, dimensions, embedding_model)"
    " SELECT :c, :b, :d, :offset + n, '', body, 100, CAST(e AS vector), 256, :m"
    " FROM unnest(CAST(:texts AS text[]), CAST(:vectors AS text[])) WITH ORDINALITY AS t(body, e, n)"
)


def _load(container: Container, pool: _Pool, targets: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, int]]) -> None:
    """Each (company, knowledge base, document, chunks) written as its company (row-level security checks every row),
    a batch per statement, two statements at once (the database works while the next batch is made)."""

    def write(
        company: uuid.UUID, base: uuid.UUID, document: uuid.UUID, offset: int, batch: tuple[list[str], list[str]]
    ) -> None:
        with container.database.tenant(company) as session:
            session.execute(
                _INSERT,
                {"c": company, "b": base, "d": document, "offset": offset, "texts": batch[0], "vectors": batch[1],
                 "m": EMBEDDER.model},
            )  # fmt: skip

    with ThreadPoolExecutor(max_workers=2) as writers:
        pending: list[Future[None]] = []
        for company, base, document, count in targets:
            for offset in range(0, count, LOAD_BATCH):
                pending.append(
                    writers.submit(write, company, base, document, offset, pool.batch(min(LOAD_BATCH, count - offset)))
                )
                if len(pending) > 2:
                    pending.pop(0).result()
        for future in pending:
            future.result()


@pytest.fixture
def without_vector_index(owner_engine: Engine) -> Iterator[None]:
    """The 256-dimension HNSW index dropped for a bulk load, built again after it (and in any case at the end)."""
    with owner_engine.begin() as connection:
        connection.execute(text(f"DROP INDEX {INDEX}"))
    try:
        yield
    finally:
        _build_index(owner_engine)


def _build_index(engine: Engine) -> float:
    with engine.begin() as connection:
        if connection.execute(text("SELECT to_regclass(:i)"), {"i": INDEX}).scalar() is not None:
            return 0.0
        connection.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        connection.execute(text("SET LOCAL max_parallel_maintenance_workers = 2"))
        started = time.perf_counter()
        connection.execute(
            text(
                f"CREATE INDEX {INDEX} ON knowledge_chunks USING hnsw ((embedding::vector(256)) vector_cosine_ops)"
                f" WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) WHERE dimensions = 256"
            )
        )
        return time.perf_counter() - started


@pytest.mark.bench
@pytest.mark.timeout(1200)
def test_retrieval_at_100k_chunks_beside_50_companies(
    client: TestClient, container: Container, owner_engine: Engine, without_vector_index: None
) -> None:
    rng = random.Random(18)
    started = time.perf_counter()
    pool = _Pool(rng)
    main, base, document = _company(container, "Main")
    others = [(*_company(container, f"Other {n}"), OTHER_CHUNKS) for n in range(OTHER_COMPANIES)]
    _load(container, pool, [(main, base, document, MAIN_CHUNKS), *others])
    with container.database.tenant(main) as session:  # the document's chunk count, as the ingestion keeps it
        session.execute(
            text("UPDATE knowledge_documents SET chunk_count = :n WHERE id = :d"), {"n": MAIN_CHUNKS, "d": document}
        )
    loaded = time.perf_counter() - started
    build = _build_index(owner_engine)
    with owner_engine.begin() as connection:
        connection.execute(text("ANALYZE knowledge_chunks"))
    print(f"\nloaded {MAIN_CHUNKS + OTHER_COMPANIES * OTHER_CHUNKS:,} chunks in {loaded:.1f} s; index {build:.1f} s")

    questions = [q for q, _ in faq_pt_br.QUESTIONS]
    timings: list[float] = []
    with container.database.tenant(main) as session:
        plan = "\n".join(
            session.execute(
                text(
                    "EXPLAIN SELECT id FROM knowledge_chunks WHERE dimensions = 256 AND embedding_model = :m"
                    " AND knowledge_base_id = ANY(CAST(:kbs AS uuid[]))"
                    " ORDER BY embedding::vector(256) <=> CAST(:q AS vector(256)) LIMIT 40"
                ),
                {"m": EMBEDDER.model, "kbs": [base], "q": vector_literal(EMBEDDER.embed(["entrega"]).vectors[0])},
            ).scalars()
        )
        assert INDEX in plan, plan
    busy, began = machine_busy_seconds(), time.perf_counter()
    for n in range(WARM_UP + QUERIES):
        question = questions[n % len(questions)]
        with container.database.tenant(main) as session:
            begun = time.perf_counter()
            passages = retrieval.retrieve(session, embedder=EMBEDDER, knowledge_base_ids=[base], question=question)
            elapsed = time.perf_counter() - begun
        assert len(passages) == K and {p.knowledge_base_id for p in passages} == {base}
        if n >= WARM_UP:
            timings.append(elapsed * 1000)
    report("knowledge_retrieval_p95_ms_100k_chunks", _p95(timings), "ms", "<= 50")
    report("knowledge_retrieval_p50_ms_100k_chunks", statistics.median(timings), "ms")
    # one query at a time: about 1 core busy (this process and PostgreSQL) when nothing else runs
    cores = (machine_busy_seconds() - busy) / (time.perf_counter() - began)
    report("knowledge_retrieval_machine_busy_cores", cores, "cores")


# ---- a 300-page document ---------------------------------------------------------------------------------------


def _book(rng: random.Random) -> bytes:
    pages = []
    for n in range(PAGES):
        heading = f"Capítulo {n // 10 + 1}: {rng.choice(faq_pt_br.ENTRIES).category}" if n % 10 == 0 else None
        paragraphs = [" ".join(rng.choices(_WORDS, k=rng.randint(50, 90))).capitalize() + "." for _ in range(4)]
        pages.append((heading, "\n\n".join(paragraphs)))
    return pdf(pages, title="Manual do cliente")


@pytest.mark.bench
def test_ingestion_of_a_300_page_pdf(client: TestClient, container: Container) -> None:
    from functions.local.pump import sqs_event
    from functions.workers.knowledge_ingester import handler
    from masteria.knowledge.ingestion import QUEUE
    from tests.functions.events import FakeContext

    data = _book(random.Random(300))
    owner = sign_up(client)
    kb = client.post(KB, headers=owner.headers, json={"name": "Manual"}).json()
    upload = client.post(f"{KB}/{kb['id']}/documents", headers=owner.headers, files={"file": ("manual.pdf", data)})
    assert upload.status_code == 201, upload.text
    messages = container.queue.receive(QUEUE)
    started = time.perf_counter()
    assert handler(sqs_event(QUEUE, messages), FakeContext()) == {"batchItemFailures": []}
    elapsed = time.perf_counter() - started
    container.queue.delete(QUEUE, [m.receipt for m in messages])
    done = client.get(f"{KB}/{kb['id']}/documents/{upload.json()['id']}", headers=owner.headers).json()
    assert (done["status"], done["pages"]) == ("ready", PAGES), done
    print(f"\n{PAGES} pages ({len(data) / 1e6:.1f} MB) → {done['chunk_count']} chunks in {elapsed:.1f} s")
    report("knowledge_ingestion_pages_per_s", PAGES / elapsed, "pages/s")
    report("knowledge_ingestion_chunks_per_s", done["chunk_count"] / elapsed, "chunks/s")
