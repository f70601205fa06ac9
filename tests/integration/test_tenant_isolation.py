"""Tenant isolation: RLS in the catalog, pooled connections, and 404 for other tenants' ids on every route.

The route test reads the OpenAPI spec, so every route with an ``{id}`` that later issues add is covered
automatically: it fails until ``ID_FACTORIES`` knows how to create that kind of object.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from masteria import bootstrap
from masteria.bootstrap import Container
from masteria.campaigns import planner, sender
from masteria.campaigns.jobs import START_QUEUE, SendJob, StartJob
from tests.api import (
    Account,
    customer_writes,
    invite,
    make_campaign,
    make_connection,
    make_contact,
    make_custom_field,
    make_tag,
    sign_up,
)
from tests.automations_api import make_rule
from tests.cadences_api import enroll, make_cadence
from tests.meta import FakeMeta
from tests.pipelines_api import make_lead, pipeline_of
from tests.progression_api import make_suggestion

BODY = {"type": "BODY", "text": "Oi {{1}}!", "example": {"body_text": [["Ana"]]}}


def _dead_letter(client: TestClient, account: Account, meta: FakeMeta) -> str:
    """A recipient that broke the campaign sender (a template row it cannot read)."""
    campaign = make_campaign(client, account, meta, contacts=1)
    c = bootstrap.container()
    company = uuid.UUID(account.company_id)
    client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=account.headers, json={})
    with c.database.tenant(company) as session:
        session.execute(
            text('UPDATE whatsapp_templates SET components = components || \'[{"type": "BUTTONS", "buttons": 1}]\'')
        )
    (start,) = c.queue.receive(START_QUEUE)
    planner.start(db=c.database, clock=c.clock, job=StartJob.model_validate_json(start.body))
    c.queue.delete(START_QUEUE, [start.receipt])
    job = SendJob(company_id=company, campaign_id=uuid.UUID(campaign["id"]))
    sender.drive(db=c.database, queue=c.queue, providers=c.providers, keys=c.company_keys, clock=c.clock, job=job)
    letters = client.get("/v1/campaigns/dead-letters", headers=account.headers).json()["items"]
    return str(letters[0]["id"])


def _notification(account: Account) -> str:
    from masteria import bootstrap
    from masteria.notifications.service import notify

    company = uuid.UUID(account.company_id)
    with bootstrap.container().database.tenant(company) as session:
        row = notify(session, company_id=company, kind="test", title="t", body="b", data={})
        return str(row.id)


def _conversation(client: TestClient, account: Account, meta: FakeMeta) -> str:
    from masteria import bootstrap

    connection = make_connection(client, account, meta, phone_number_id=f"9{uuid.uuid4().int % 10**12:012d}")
    customer_writes(bootstrap.container(), account, connection, "oi")
    conversation: str = client.get("/v1/conversations", headers=account.headers).json()["items"][0]["id"]
    return conversation


def _pipeline(client: TestClient, account: Account) -> dict[str, Any]:
    body = {"name": f"pipeline {uuid.uuid4()}", "stages": [{"name": "One"}, {"name": "Two"}]}
    created: dict[str, Any] = client.post("/v1/pipelines", headers=account.headers, json=body).json()
    return created


def _appointment(client: TestClient, account: Account, meta: FakeMeta) -> str:
    pipeline = client.get("/v1/pipelines", headers=account.headers).json()[0]
    lead = client.post(
        "/v1/leads", headers=account.headers,
        json={"pipeline_id": pipeline["id"], "contact_id": make_contact(client, account)["id"], "title": "Deal"},
    ).json()  # fmt: skip
    body = {
        "title": "Demo", "starts_at": "2030-01-02T14:00:00-03:00", "ends_at": "2030-01-02T15:00:00-03:00",
        "timezone": "America/Sao_Paulo",
    }  # fmt: skip
    created = client.post(f"/v1/leads/{lead['id']}/appointments", headers=account.headers, json=body)
    appointment: str = created.json()["id"]
    return appointment


def _cadence(client: TestClient, account: Account, meta: FakeMeta) -> dict[str, Any]:
    connection = make_connection(client, account, meta)
    steps = [{"kind": "wait", "duration_seconds": 3600}]
    return make_cadence(client, account, steps=steps, connection_id=connection["id"], activate=True)


def _enrollment(client: TestClient, account: Account, meta: FakeMeta) -> str:
    enrolled = enroll(client, account, _cadence(client, account, meta), make_contact(client, account)["id"])
    return str(enrolled.json()["id"])


# How to create, in a company, the object a path parameter names. Add one per new kind of id.
def _knowledge_base(client: TestClient, account: Account) -> str:
    created = client.post("/v1/knowledge-bases", headers=account.headers, json={"name": f"kb {uuid.uuid4()}"})
    return str(created.json()["id"])


def _knowledge_document(client: TestClient, account: Account) -> str:
    added = client.post(
        f"/v1/knowledge-bases/{_knowledge_base(client, account)}/documents",
        headers=account.headers,
        files={"file": ("faq.md", b"# FAQ\n\nTexto.")},
    )
    return str(added.json()["id"])


ID_FACTORIES: dict[str, Callable[[TestClient, Account, FakeMeta], str]] = {
    "user_id": lambda client, account, meta: invite(client, account).user_id,
    "contact_id": lambda client, account, meta: make_contact(client, account)["id"],
    "tag_id": lambda client, account, meta: make_tag(client, account)["id"],
    "field_id": lambda client, account, meta: make_custom_field(client, account)["id"],
    "list_id": lambda client, account, meta: client.post(
        "/v1/lists", headers=account.headers, json={"name": f"list {uuid.uuid4()}"}
    ).json()["id"],
    "import_id": lambda client, account, meta: client.post(
        "/v1/contacts/imports", headers=account.headers, json={"filename": "x.csv"}
    ).json()["id"],
    "template_id": lambda client, account, meta: client.post(
        "/v1/templates", headers=account.headers, json={"name": f"t {uuid.uuid4()}", "body": "Oi {{name}}"}
    ).json()["id"],
    "connection_id": lambda client, account, meta: make_connection(client, account, meta)["id"],
    "whatsapp_template_id": lambda client, account, meta: client.post(
        f"/v1/connections/{make_connection(client, account, meta)['id']}/templates",
        headers=account.headers,
        json={"name": "promo", "language": "pt_BR", "category": "MARKETING", "components": [BODY]},
    ).json()["id"],
    "endpoint_id": lambda client, account, meta: client.post(
        "/v1/webhooks/endpoints",
        headers=account.headers,
        json={"url": "https://93.184.215.14/hook", "event_types": ["contact.created"]},
    ).json()["id"],
    "notification_id": lambda client, account, meta: _notification(account),
    "conversation_id": _conversation,
    "campaign_id": lambda client, account, meta: make_campaign(client, account, meta)["id"],
    "dead_letter_id": _dead_letter,
    "segment_id": lambda client, account, meta: client.post(
        "/v1/segments", headers=account.headers, json={"name": f"segment {uuid.uuid4()}", "filter": {}}
    ).json()["id"],
    "pipeline_id": lambda client, account, meta: _pipeline(client, account)["id"],
    "stage_id": lambda client, account, meta: _pipeline(client, account)["stages"][0]["id"],
    "lead_id": lambda client, account, meta: make_lead(client, account, pipeline_of(client, account))["id"],
    "appointment_id": _appointment,
    "knowledge_base_id": lambda client, account, meta: _knowledge_base(client, account),
    "document_id": lambda client, account, meta: _knowledge_document(client, account),
    "persona_id": lambda client, account, meta: client.post(
        "/v1/personas", headers=account.headers, json={"name": f"persona {uuid.uuid4()}"}
    ).json()["id"],
    "suggestion_id": lambda client, account, meta: make_suggestion(client, account, meta)[1],
    "cadence_id": lambda client, account, meta: _cadence(client, account, meta)["id"],
    "enrollment_id": _enrollment,
    "automation_id": lambda client, account, meta: make_rule(
        client, account, trigger={"type": "conversation_created"}, actions=[{"type": "hand_to_ai"}]
    )["id"],
}

# Path parameters that are not ids take one fixed valid value.
FIXED_PARAMS: dict[str, str] = {"channel": "whatsapp", "version": "1"}

TENANT_POLICY = re.compile(r"NULLIF\(current_setting\('app\.company_id'::text, true\), ''::text\)\)::uuid")


def _routes_with_ids(spec: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    routes = []
    for path, item in spec["paths"].items():
        params = re.findall(r"{(\w+)}", path)
        if any(p.endswith("_id") for p in params):
            routes.extend((method.upper(), path, params) for method in item)
    return routes


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _example(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A valid value for ``schema``: its examples first, else the simplest value of its type."""
    schema = _resolve(spec, schema)
    if schema.get("examples"):
        return schema["examples"][0]
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return _example(spec, next(s for s in schema[union] if s.get("type") != "null"))
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        # required fields, and the optional ones that document an example
        chosen = [name for name in props if name in schema.get("required", []) or "examples" in props[name]]
        return {name: _example(spec, props[name]) for name in chosen}
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": []}[kind]


def _body(spec: dict[str, Any], method: str, path: str) -> Any:
    operation = spec["paths"][path][method.lower()]
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return None if content is None else _example(spec, content["schema"])


def _snapshot(engine: Engine, company_id: str) -> dict[str, list[str]]:
    """Every row company B can see, as text, to prove a refused request changed nothing."""
    with engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": company_id})
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename NOT IN ('alembic_version', 'login_failures')"
            )
        ).scalars()
        return {t: sorted(str(r) for r in connection.execute(text(f'SELECT * FROM "{t}"')).all()) for t in list(tables)}


def test_every_id_route_answers_404_for_another_tenants_id(
    client: TestClient, owner_engine: Engine, meta: FakeMeta
) -> None:
    spec = client.get("/openapi.json").json()
    routes = _routes_with_ids(spec)
    assert routes, "the API has routes with ids"
    a = sign_up(client)
    b = sign_up(client)
    for method, path, params in routes:
        missing = [p for p in params if p not in ID_FACTORIES and p not in FIXED_PARAMS]
        assert not missing, f"{method} {path}: add a factory for {missing} to ID_FACTORIES"
        fixed = {p: FIXED_PARAMS[p] for p in params if p in FIXED_PARAMS}
        theirs = path.format(**fixed, **{p: ID_FACTORIES[p](client, b, meta) for p in params if p not in fixed})
        unknown = path.format(**fixed, **{p: uuid.uuid4() for p in params if p not in fixed})
        body = _body(spec, method, path)
        before = _snapshot(owner_engine, b.company_id)
        # WHEN company A's owner uses company B's id
        other = client.request(method, theirs, headers=a.headers, json=body)
        # THEN it is a 404 exactly like an id that does not exist, and nothing of B's changed
        missing_response = client.request(method, unknown, headers=a.headers, json=body)
        assert other.status_code == 404, f"{method} {path}: {other.status_code} {other.text}"
        assert missing_response.status_code == 404, f"{method} {path}: {missing_response.text}"
        strip = ("instance", "correlation_id")
        assert {k: v for k, v in other.json().items() if k not in strip} == {
            k: v for k, v in missing_response.json().items() if k not in strip
        }
        assert _snapshot(owner_engine, b.company_id) == before, f"{method} {path} changed company B's data"


def test_every_tenant_table_has_forced_rls_and_a_policy(owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        tables = connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r' AND (c.relname = 'companies' OR EXISTS ("
                "   SELECT 1 FROM information_schema.columns col WHERE col.table_schema = 'public'"
                "   AND col.table_name = c.relname AND col.column_name = 'company_id'))"
            )
        ).all()
        policies = connection.execute(
            text("SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public'")
        ).all()
    assert {"companies", "users", "refresh_tokens"} <= {t.relname for t in tables}
    for table in tables:
        assert table.relrowsecurity, f"{table.relname}: row-level security is not enabled"
        assert table.relforcerowsecurity, f"{table.relname}: row-level security is not forced"
        isolation = [p for p in policies if p.tablename == table.relname and p.policyname == "tenant_isolation"]
        assert isolation, f"{table.relname}: no tenant_isolation policy"
        assert TENANT_POLICY.search(isolation[0].qual), isolation[0].qual
        assert TENANT_POLICY.search(isolation[0].with_check), isolation[0].with_check


def test_application_role_is_unprivileged(container: Container, owner_engine: Engine) -> None:
    with container.database.engine.connect() as connection:
        role = connection.execute(
            text(
                "SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb"
                " FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
    assert not role.rolsuper and not role.rolbypassrls and not role.rolcreaterole and not role.rolcreatedb
    with owner_engine.connect() as connection:
        owned = connection.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.rolname = :role AND n.nspname = 'public'"
            ),
            {"role": role.rolname},
        ).all()
    assert owned == []


def test_a_pooled_connection_forgets_the_tenant_after_each_transaction(client: TestClient, settings: Any) -> None:
    from masteria.db import Database, make_engine

    a = sign_up(client)
    database = Database(make_engine(settings.database_app_url.get_secret_value(), pool_size=1))
    database.engine.pool._max_overflow = 0  # one physical connection, reused by every transaction
    try:
        with database.tenant(uuid.UUID(a.company_id)) as session:
            first_pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            assert session.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
        # WHEN the same pooled connection starts a transaction that sets no company
        with database.engine.begin() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() == first_pid
            # THEN it sees no tenant rows, and no error is raised
            assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
            assert connection.execute(text("SELECT count(*) FROM companies")).scalar_one() == 0
        with database.tenant(None) as session:
            assert session.execute(text("SELECT count(*) FROM refresh_tokens")).scalar_one() == 0
    finally:
        database.dispose()


def test_writes_into_another_tenant_are_refused_by_the_database(client: TestClient, container: Container) -> None:
    a = sign_up(client)
    b = sign_up(client)
    with (
        pytest.raises(Exception, match="row-level security"),
        container.database.tenant(uuid.UUID(a.company_id)) as s,
    ):
        s.execute(
            text("INSERT INTO users (company_id, email, name, role) VALUES (:c, 'x@example.com', 'X', 'agent')"),
            {"c": b.company_id},
        )
    with container.database.tenant(uuid.UUID(a.company_id)) as session:
        updated = session.execute(text("UPDATE users SET name = 'pwned' WHERE company_id = :c"), {"c": b.company_id})
        assert updated.rowcount == 0
