"""Automatic replies in `masteria dev`, as a user sets them up: a knowledge base from a Markdown FAQ, a persona on
the demo WhatsApp number, and a customer writing on the WhatsApp sandbox gets the AI's answer (after the typing
indicator) through the real queues, event router and delays; asking for a person hands the conversation over."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.waits import eventually
from tests.runtime import Runtime, data_dir, dev_runtime

FAQ = b"""# Loja Exemplo

## Planos
O plano basico custa 49 reais por mes e inclui ate tres usuarios.

## Entrega
A entrega leva dois dias uteis nas capitais.
"""
CUSTOMER = "5511933330000"


@pytest.fixture(scope="module")
def runtime() -> Iterator[Runtime]:
    with data_dir("dev-ai") as data, dev_runtime(data) as running:
        yield running


def _texts(http: httpx.Client, number: str) -> list[str]:
    outbox = http.get(f"/sandbox/numbers/{number}/outbox").json()
    return [b["text"]["body"] for b in outbox if b.get("type") == "text" and b.get("to") == CUSTOMER]


def test_a_customer_gets_the_personas_answer_and_a_person_when_asked(runtime: Runtime) -> None:
    with httpx.Client(base_url=runtime.url, timeout=30) as http:
        login = {"email": runtime.email, "password": runtime.password}
        auth = {"Authorization": f"Bearer {http.post('/v1/auth/login', json=login).json()['access_token']}"}
        (connection,) = http.get("/v1/connections", headers=auth, params={"channel": "whatsapp"}).json()["items"]
        number = connection["phone_number_id"]
        base = http.post("/v1/knowledge-bases", headers=auth, json={"name": "FAQ da loja"})
        assert base.status_code == 201, base.text
        kb_id = base.json()["id"]
        uploaded = http.post(
            f"/v1/knowledge-bases/{kb_id}/documents", headers=auth, files={"file": ("faq.md", FAQ, "text/markdown")}
        )
        assert uploaded.status_code == 201, uploaded.text
        document = f"/v1/knowledge-bases/{kb_id}/documents/{uploaded.json()['id']}"
        eventually(lambda: http.get(document, headers=auth).json()["status"] == "ready", seconds=60)
        persona: dict[str, Any] = {
            "name": "Ana", "language": "pt-BR", "connection_ids": [connection["id"]], "knowledge_base_ids": [kb_id],
            "tools": ["handoff"], "debounce_seconds": 1, "is_active": True,
        }  # fmt: skip
        created = http.post("/v1/personas", headers=auth, json=persona)
        assert created.status_code == 201, created.text

        http.post(f"/sandbox/numbers/{number}/inbound", json={"from": CUSTOMER, "text": "Quanto custa o plano basico?"})
        answer = eventually(lambda: _texts(http, number), seconds=60)
        assert answer == ["O plano basico custa 49 reais por mes e inclui ate tres usuarios."]
        outbox = http.get(f"/sandbox/numbers/{number}/outbox").json()
        assert any(b.get("status") == "read" and "typing_indicator" in b for b in outbox)  # typed before it came

        http.post(f"/sandbox/numbers/{number}/inbound", json={"from": CUSTOMER, "text": "Quero falar com um atendente"})
        eventually(lambda: len(_texts(http, number)) == 2, seconds=60)
        assert _texts(http, number)[-1].startswith("Vou te passar para um atendente")
        (conversation,) = [
            c for c in http.get("/v1/conversations", headers=auth).json()["items"]
            if c["contact"]["phone"] == f"+{CUSTOMER}"
        ]  # fmt: skip
        assert conversation["ai"]["status"] == "handed_off" and conversation["assignee_id"] is not None
