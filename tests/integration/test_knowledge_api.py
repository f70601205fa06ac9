"""Knowledge bases over the API, end to end on the real database, queue and worker: upload → queued job →
``knowledge_ingester`` → chunks; re-upload replaces them; a failure leaves none, with its error and a notification;
pages fetched through the SSRF guard; roles; another company's ids answer 404."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from masteria.bootstrap import Container
from masteria.knowledge import service
from masteria.settings import Settings
from tests.api import Account, invite, run_queue, sign_up
from tests.fixtures.knowledge import faq_pt_br
from tests.knowledge_files import docx_file, encrypted, pdf

KB = "/v1/knowledge-bases"


def _kb(client: TestClient, account: Account, name: str = "FAQ") -> dict[str, Any]:
    created = client.post(KB, headers=account.headers, json={"name": name, "description": "Perguntas da loja"})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def _upload(
    client: TestClient, account: Account, kb_id: str, name: str, data: bytes, *, title: str | None = None,
    media: str = "application/octet-stream",
) -> dict[str, Any]:  # fmt: skip
    form = {"title": title} if title else {}
    response = client.post(
        f"{KB}/{kb_id}/documents", headers=account.headers, files={"file": (name, data, media)}, data=form
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _ingest(container: Container) -> int:
    return run_queue(container, "knowledge_ingester")


def _document(client: TestClient, account: Account, kb_id: str, document_id: str) -> dict[str, Any]:
    response = client.get(f"{KB}/{kb_id}/documents/{document_id}", headers=account.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _chunks(container: Container, account: Account, document_id: str) -> list[tuple[str, str, str, int]]:
    """(heading, text, model, dimensions) of a document's chunks, in order."""
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        rows = session.execute(
            text(
                "SELECT heading, text, embedding_model, dimensions FROM knowledge_chunks"
                " WHERE document_id = CAST(:d AS uuid) ORDER BY position"
            ),
            {"d": document_id},
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _events(container: Container, account: Account, document_id: str) -> list[dict[str, Any]]:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        return list(
            session.execute(
                text(
                    "SELECT data FROM outbox_events WHERE type = 'knowledge.document.progress'"
                    " AND data->>'document_id' = :d ORDER BY id"
                ),
                {"d": document_id},
            ).scalars()
        )


def test_a_markdown_faq_is_ingested_searchable_and_its_progress_recorded(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    kb = _kb(client, owner)
    assert (kb["embedding_model"], kb["dimensions"], kb["state"]) == ("wordllama-l2-supercat-256", 256, "ready")
    # WHEN a Markdown FAQ is uploaded
    document = _upload(client, owner, kb["id"], "faq.md", faq_pt_br.markdown().encode())
    assert (document["status"], document["format"], document["title"], document["version"]) == (
        "queued", "markdown", "faq", 1
    )  # fmt: skip
    assert _ingest(container) == 1
    # THEN it is ready with one chunk per question, under its headings
    done = _document(client, owner, kb["id"], document["id"])
    assert done["status"] == "ready" and done["error"] is None
    assert done["chunk_count"] == done["total_chunks"] == done["processed_chunks"] == len(faq_pt_br.ENTRIES)
    chunks = _chunks(container, owner, document["id"])
    first = faq_pt_br.ENTRIES[0]
    assert chunks[0][0] == f"Perguntas frequentes da Casa Aurora > {first.category} > {first.question}"
    assert chunks[0][1] == first.answer
    assert {(model, dims) for _, _, model, dims in chunks} == {("wordllama-l2-supercat-256", 256)}
    # AND its progress went queued → processing → ready
    statuses = [e["status"] for e in _events(container, owner, document["id"])]
    assert statuses[0] == "queued" and statuses[-1] == "ready" and "processing" in statuses
    assert _events(container, owner, document["id"])[-1]["processed"] == len(faq_pt_br.ENTRIES)
    # AND a search finds the answer, with its ranks and similarity
    found = client.post(
        f"{KB}/{kb['id']}/search",
        headers=owner.headers,
        json={"question": "quero parcelar em 10 vezes sem juros", "k": 3},
    )
    assert found.status_code == 200, found.text
    result = found.json()
    assert result["embedding_model"] == "wordllama-l2-supercat-256"
    passages = result["passages"]
    assert len(passages) == 3
    assert passages[0]["heading"].endswith("Em quantas vezes posso parcelar?")
    assert passages[0]["document_id"] == document["id"] and passages[0]["document_title"] == "faq"
    assert passages[0]["vector_rank"] is not None or passages[0]["text_rank"] is not None
    assert result["best_similarity"] == max(p["similarity"] for p in passages)
    # AND the knowledge base counts its documents and chunks
    read = client.get(f"{KB}/{kb['id']}", headers=owner.headers).json()
    assert (read["document_count"], read["chunk_count"]) == (1, len(faq_pt_br.ENTRIES))


def test_every_format_is_read_with_its_headings(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    kb = _kb(client, owner)
    files = {
        "manual.pdf": pdf([("Entregas", "Entregamos em todo o Brasil em até 12 dias úteis."), (None, "Frete grátis.")]),
        "loja.docx": docx_file([("title", "Manual"), ("h1", "Trocas"), ("p", "Até 30 dias para trocar.")]),
        "faq.csv": faq_pt_br.csv_text().encode("utf-8"),
        "notas.txt": "Horário: das 8h às 20h.\n\nAos domingos, das 9h às 15h.".encode(),
        "pagina.html": b"<html><body><main><h1>Pagamentos</h1><p>Pix com 5% de desconto.</p></main></body></html>",
    }
    ids = {name: _upload(client, owner, kb["id"], name, data)["id"] for name, data in files.items()}
    assert _ingest(container) == len(files)
    for name, document_id in ids.items():
        assert _document(client, owner, kb["id"], document_id)["status"] == "ready", name
    pdf_chunks = _chunks(container, owner, ids["manual.pdf"])
    assert pdf_chunks[0][0] == "Entregas" and "Frete grátis." in pdf_chunks[0][1]  # the outline's heading
    assert _document(client, owner, kb["id"], ids["manual.pdf"])["pages"] == 2
    assert _chunks(container, owner, ids["loja.docx"]) == [
        ("Trocas", "Até 30 dias para trocar.", "wordllama-l2-supercat-256", 256)
    ]
    csv_chunks = _chunks(container, owner, ids["faq.csv"])
    assert len(csv_chunks) == len(faq_pt_br.ENTRIES)
    first = faq_pt_br.ENTRIES[0]
    assert csv_chunks[0][:2] == (first.category, f"Q: {first.question}\nA: {first.answer}")
    assert _chunks(container, owner, ids["pagina.html"])[0][:2] == ("Pagamentos", "Pix com 5% de desconto.")


def test_a_reupload_replaces_the_chunks_and_an_old_job_does_nothing(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    kb = _kb(client, owner)
    document = _upload(client, owner, kb["id"], "precos.md", b"# Precos\n\nO plano basico custa R$ 49.")
    assert _ingest(container) == 1
    assert [c[1] for c in _chunks(container, owner, document["id"])] == ["O plano basico custa R$ 49."]
    # WHEN a new file is put to the document, twice before the worker runs (two jobs queued)
    for body in (
        b"# Precos\n\nO plano basico custa R$ 59.",
        b"# Precos\n\nO plano basico custa R$ 69.\n\n## Pro\n\nR$ 99.",
    ):
        replaced = client.put(
            f"{KB}/{kb['id']}/documents/{document['id']}",
            headers=owner.headers,
            files={"file": ("precos.md", body, "text/markdown")},
        )
        assert replaced.status_code == 202, replaced.text
    assert replaced.json()["version"] == 3 and replaced.json()["status"] == "queued"
    # the version before is still searched until the new one is in
    assert len(_chunks(container, owner, document["id"])) == 1
    _ingest(container)  # version 2's job finds version 3 and does nothing; version 3's replaces the chunks
    assert [c[1] for c in _chunks(container, owner, document["id"])] == ["O plano basico custa R$ 69.", "R$ 99."]
    done = _document(client, owner, kb["id"], document["id"])
    assert (done["status"], done["version"], done["chunk_count"]) == ("ready", 3, 2)


def _notifications(client: TestClient, account: Account) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/v1/notifications", headers=account.headers).json()["items"]
    return [n for n in items if n["kind"] == "knowledge_document.failed"]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("protegido.pdf", encrypted(pdf([("Segredo", "Conteúdo protegido por senha.")])), "pdf_encrypted"),
        ("quebrado.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "pdf_unreadable"),
        ("escaneado.pdf", pdf([(None, "")]), "pdf_no_text"),
        ("vazio.txt", b"   \n\n  ", "document_empty"),
        ("quebrado.docx", b"PK\x03\x04 not really a zip", "docx_unreadable"),
        ("binario.txt", b"\x00\x01\x02binary", "text_unreadable"),
    ],
)
def test_an_unreadable_document_fails_with_its_error_a_notification_and_no_chunks(
    client: TestClient, container: Container, name: str, data: bytes, code: str
) -> None:
    owner = sign_up(client)
    kb = _kb(client, owner)
    # GIVEN a document that was ingested once
    document = _upload(client, owner, kb["id"], name.rsplit(".", 1)[0] + ".md", b"# Antes\n\nUm texto bom.")
    _ingest(container)
    assert len(_chunks(container, owner, document["id"])) == 1
    # WHEN it is replaced by a file that cannot be read
    replaced = client.put(
        f"{KB}/{kb['id']}/documents/{document['id']}", headers=owner.headers, files={"file": (name, data)}
    )
    assert replaced.status_code == 202, replaced.text
    _ingest(container)
    # THEN it failed, saying why, with no chunk left and the company notified
    failed = _document(client, owner, kb["id"], document["id"])
    assert failed["status"] == "failed" and failed["chunk_count"] == 0
    assert failed["error"]["code"] == code and failed["error"]["message"]
    assert _chunks(container, owner, document["id"]) == []
    notified = _notifications(client, owner)
    assert len(notified) == 1
    assert notified[0]["data"] == {
        "knowledge_base_id": kb["id"], "document_id": document["id"], "title": failed["title"], "code": code,
    }  # fmt: skip
    assert _events(container, owner, document["id"])[-1]["status"] == "failed"


def test_uploads_refused_at_the_door(client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = sign_up(client)
    kb = _kb(client, owner)
    url = f"{KB}/{kb['id']}/documents"
    # an unsupported kind of file: 415 saying what is read
    for name, data in (
        ("planilha.xlsx", b"PK\x03\x04 xlsx"),
        ("foto.png", b"\x89PNG\r\n"),
        ("velho.doc", b"\xd0\xcf\x11\xe0"),
    ):
        refused = client.post(url, headers=owner.headers, files={"file": (name, data)})
        assert refused.status_code == 415, (name, refused.text)
        assert refused.json()["code"] == "unsupported_format" and ".docx" in refused.json()["detail"]
    # neither a form nor JSON
    plain = client.post(url, headers={**owner.headers, "content-type": "text/plain"}, content=b"hello")
    assert (plain.status_code, plain.json()["code"]) == (415, "unsupported_body")
    # no file in the form; a title too long
    no_file = client.post(url, headers=owner.headers, files={"attachment": ("a.txt", b"oi")})
    assert no_file.status_code == 422 and no_file.json()["errors"][0]["field"] == "file"
    long_title = client.post(url, headers=owner.headers, files={"file": ("a.txt", b"oi")}, data={"title": "x" * 301})
    assert long_title.status_code == 422 and long_title.json()["errors"][0]["field"] == "title"
    # larger than the limit
    monkeypatch.setattr(service, "MAX_UPLOAD_BYTES", 1024)
    big = client.post(url, headers=owner.headers, files={"file": ("big.txt", b"a" * 2048)})
    assert big.status_code == 422
    assert big.json()["errors"][0]["code"] == "file_too_large"
    # nothing was created
    assert client.get(url, headers=owner.headers).json()["items"] == []


def test_roles_and_another_companys_ids(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    kb = _kb(client, owner)
    document = _upload(client, owner, kb["id"], "a.md", b"# A\n\nTexto A.")
    _ingest(container)
    # agents read and search, but do not manage
    assert client.get(f"{KB}/{kb['id']}", headers=agent.headers).status_code == 200
    assert client.post(f"{KB}/{kb['id']}/search", headers=agent.headers, json={"question": "texto"}).status_code == 200
    assert client.post(KB, headers=agent.headers, json={"name": "Outra"}).status_code == 403
    assert client.patch(f"{KB}/{kb['id']}", headers=agent.headers, json={"name": "X"}).status_code == 403
    denied = client.post(f"{KB}/{kb['id']}/documents", headers=agent.headers, files={"file": ("b.md", b"# B")})
    assert denied.status_code == 403
    assert client.delete(f"{KB}/{kb['id']}/documents/{document['id']}", headers=agent.headers).status_code == 403
    # another company sees none of it
    other = sign_up(client)
    for method, path, kwargs in (
        ("GET", f"{KB}/{kb['id']}", {}),
        ("PATCH", f"{KB}/{kb['id']}", {"json": {"name": "Mine"}}),
        ("DELETE", f"{KB}/{kb['id']}", {}),
        ("GET", f"{KB}/{kb['id']}/documents", {}),
        ("GET", f"{KB}/{kb['id']}/documents/{document['id']}", {}),
        ("DELETE", f"{KB}/{kb['id']}/documents/{document['id']}", {}),
        ("POST", f"{KB}/{kb['id']}/search", {"json": {"question": "texto"}}),
        ("POST", f"{KB}/{kb['id']}/documents", {"files": {"file": ("c.md", b"# C")}}),
        ("PUT", f"{KB}/{kb['id']}/documents/{document['id']}", {"files": {"file": ("c.md", b"# C")}}),
    ):
        response = client.request(method, path, headers=other.headers, **kwargs)
        assert response.status_code == 404, (method, path, response.text)
    assert client.get(KB, headers=other.headers).json()["items"] == []
    # names are unique per company (ignoring case), not across companies
    assert client.post(KB, headers=owner.headers, json={"name": "faq"}).status_code == 409
    assert client.post(KB, headers=other.headers, json={"name": "FAQ"}).status_code == 201
    # an unknown embedding model is refused
    unknown = client.post(KB, headers=owner.headers, json={"name": "Z", "embedding_model": "no-such-model"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["code"] == "unknown_embedding_model"
    # deleting the knowledge base deletes its documents
    assert client.delete(f"{KB}/{kb['id']}", headers=owner.headers).status_code == 204
    assert client.get(f"{KB}/{kb['id']}/documents/{document['id']}", headers=owner.headers).status_code == 404


class _Pages:
    """Web pages on the loopback interface: path → (status, headers, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.url = ""


@contextmanager
def _pages() -> Iterator[_Pages]:
    state = _Pages()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = state.routes.get(self.path, (404, {"content-type": "text/html"}, b"<h1>404</h1>"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhooks_allow_private": True})  # the pages below are on the loopback


def test_a_web_page_is_fetched_through_the_guard_and_a_bad_one_fails_clearly(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    kb = _kb(client, owner)
    html = "<html><head><title>Ajuda Casa Aurora</title></head><body><nav>Menu</nav><main><h1>Entregas</h1>"
    html += "<p>Entregamos em todo o Brasil.</p></main></body></html>"
    with _pages() as pages:
        pages.routes["/ajuda"] = (200, {"content-type": "text/html; charset=utf-8"}, html.encode())
        pages.routes["/antiga"] = (301, {"location": "/ajuda"}, b"")
        pages.routes["/imagem"] = (200, {"content-type": "image/png"}, b"\x89PNG")
        pages.routes["/fora"] = (302, {"location": "ftp://127.0.0.1/segredo"}, b"")  # refused, never reached
        added = client.post(f"{KB}/{kb['id']}/documents", headers=owner.headers, json={"url": f"{pages.url}/antiga"})
        assert added.status_code == 201, added.text
        assert (added.json()["source"], added.json()["status"]) == ("url", "queued")
        failing = {
            path: client.post(
                f"{KB}/{kb['id']}/documents", headers=owner.headers, json={"url": f"{pages.url}{path}"}
            ).json()["id"]
            for path in ("/sumiu", "/imagem", "/fora")
        }
        assert _ingest(container) == 4
    page = _document(client, owner, kb["id"], added.json()["id"])
    assert (page["status"], page["title"]) == ("ready", "Ajuda Casa Aurora")  # redirected, titled by the page
    assert _chunks(container, owner, page["id"])[0][:2] == ("Entregas", "Entregamos em todo o Brasil.")
    codes = {path: _document(client, owner, kb["id"], i)["error"]["code"] for path, i in failing.items()}
    assert codes == {"/sumiu": "page_status", "/imagem": "page_type", "/fora": "page_refused"}
    assert len(_notifications(client, owner)) == 3
    # a malformed body, a URL that is not http(s)
    bad = client.post(f"{KB}/{kb['id']}/documents", headers=owner.headers, json={"url": "ftp://example.com/x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "page_url_refused"
    extra = client.post(f"{KB}/{kb['id']}/documents", headers=owner.headers, json={"url": "https://a.b", "x": 1})
    assert extra.status_code == 422 and extra.json()["errors"][0]["code"] == "extra_forbidden"


def test_a_private_address_is_refused_where_private_addresses_are_not_allowed(
    client: TestClient, container: Container
) -> None:
    container.settings = container.settings.model_copy(update={"webhooks_allow_private": False})
    owner = sign_up(client)
    kb = _kb(client, owner)
    for url in ("http://127.0.0.1:8000/x", "http://169.254.169.254/", "http://[::1]/", "http://10.0.0.7/faq"):
        refused = client.post(f"{KB}/{kb['id']}/documents", headers=owner.headers, json={"url": url})
        assert refused.status_code == 422, url
        assert refused.json()["errors"][0]["code"] == "page_url_refused"


def test_documents_list_newest_first_with_pages(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    kb = _kb(client, owner)
    ids = [_upload(client, owner, kb["id"], f"d{n}.txt", f"Texto {n}".encode())["id"] for n in range(3)]
    first = client.get(f"{KB}/{kb['id']}/documents?limit=2", headers=owner.headers).json()
    rest = client.get(f"{KB}/{kb['id']}/documents?limit=2&cursor={first['next_cursor']}", headers=owner.headers).json()
    assert [d["id"] for d in first["items"] + rest["items"]] == ids[::-1]
    assert client.get(f"{KB}/{uuid.uuid4()}/documents", headers=owner.headers).status_code == 404
