import random, time, uuid
import pytest
from sqlalchemy import text
from tests.bench.test_knowledge_bench import without_vector_index, _Pool, _company, _load, _build_index, EMBEDDER, MAIN_CHUNKS, OTHER_COMPANIES, OTHER_CHUNKS
from masteria.knowledge import retrieval
from masteria.knowledge.retrieval import vector_literal, _TEXT_HITS, question_words, TEXT_MATCHES

@pytest.mark.bench
@pytest.mark.timeout(1500)
def test_prof(client, container, owner_engine, without_vector_index):
    rng = random.Random(18)
    pool = _Pool(rng)
    main, base, document = _company(container, "Main")
    others = [(*_company(container, f"Other {n}"), OTHER_CHUNKS) for n in range(OTHER_COMPANIES)]
    _load(container, pool, [(main, base, document, MAIN_CHUNKS), *others])
    print("build", _build_index(owner_engine))
    with owner_engine.begin() as c:
        c.execute(text("ANALYZE knowledge_chunks"))
        c.execute(text("SELECT gin_clean_pending_list('ix_knowledge_chunks_search')"))
    qs = ["cade meu pedido? como eu rastreio", "a partir de quanto o frete sai de graça?", "qual a largura e a altura dessa estante?"]
    for q in qs:
        v = vector_literal(EMBEDDER.embed([q]).vectors[0])
        with container.database.tenant(main) as s:
            s.execute(text("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '100', true)"))
            for _ in range(2):
                t = time.perf_counter()
                plan = s.execute(text("EXPLAIN (ANALYZE, BUFFERS) WITH nearest AS MATERIALIZED (SELECT id, embedding::vector(256) <=> CAST(:q AS vector(256)) AS distance FROM knowledge_chunks WHERE dimensions = 256 AND embedding_model = :m AND knowledge_base_id = ANY(CAST(:kbs AS uuid[])) ORDER BY embedding::vector(256) <=> CAST(:q AS vector(256)) LIMIT 10) SELECT id, distance FROM nearest ORDER BY distance, id"), {"q": v, "m": EMBEDDER.model, "kbs": [base]}).scalars().all()
                print("VECTOR", q[:20], round((time.perf_counter()-t)*1000)); 
            print("\n".join(plan))
            for _ in range(2):
                t = time.perf_counter()
                plan = s.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + _TEXT_HITS), {"words": question_words(q), "kbs": [base], "limit": 10, "cap": TEXT_MATCHES}).scalars().all()
                print("TEXT", q[:20], round((time.perf_counter()-t)*1000))
            print("\n".join(plan))
            for _ in range(3):
                t = time.perf_counter(); retrieval.retrieve(s, embedder=EMBEDDER, knowledge_base_ids=[base], question=q); print("RETRIEVE", round((time.perf_counter()-t)*1000))
