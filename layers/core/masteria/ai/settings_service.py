"""A company's AI settings (its own OpenAI-compatible endpoint, model, sealed key, monthly budget), the check of
that endpoint, and what the AI spent.

The key is write-only: stored sealed (``masteria.crypto``, bound to the company's ``ai_settings.api_key``), shown
as its last characters only. A base URL must be https (http on the local runtime only), carry no user name or
password, and (but for the platform's own URL and, locally, the AI sandbox) not reach a private, loopback,
link-local or metadata address: checked when saved (422) and again at every call by the SSRF guard.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import Date, cast, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.ai import endpoints, failures
from masteria.ai.errors import Category, ModelError
from masteria.ai.models import AiSettings, AiUsage, Persona
from masteria.ai.schemas import (
    AiSettingsRead,
    AiSettingsUpdate,
    CheckResult,
    GroupBy,
    UsageGroup,
    UsageReport,
)
from masteria.ai.shapes import ChatRequest, UserMessage
from masteria.ai.usage_records import company_zone, month_bounds, record_usage, spend_between
from masteria.crypto import SecretUnreadable
from masteria.errors import FieldError, Invalid
from masteria.settings import Runtime
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal
from masteria.webhooks.ssrf import UnsafeUrl, check_url

if TYPE_CHECKING:
    from masteria.bootstrap import Container

HINT_CHARS = 4
HINT_MIN_KEY = 3 * HINT_CHARS  # a shorter key gets no hint: its last characters would be most of it
MAX_USAGE_DAYS = 366
# the days a usage period may name: within them, a day's bounds in any timezone (and the day after the last) are
# instants Python can hold
FIRST_USAGE_DAY, LAST_USAGE_DAY = date(1970, 1, 1), date(9998, 12, 31)
CHECK_PROMPT = "Reply with the word OK."
CHECK_MAX_TOKENS = 16


def _read(container: Container, row: AiSettings | None) -> AiSettingsRead:
    endpoint_url = (row.base_url if row else None) or endpoints.platform_base_url(container)
    return AiSettingsRead(
        base_url=row.base_url if row else None,
        chat_model=row.chat_model if row else None,
        api_key_hint=row.api_key_hint if row else None,
        has_api_key=bool(row and row.api_key is not None),
        monthly_budget_usd=row.monthly_budget_usd if row else None,
        budget_spent_month=row.budget_spent_month if row else None,
        effective_base_url=_without_credentials(endpoint_url),
        effective_chat_model=(row.chat_model if row else None) or container.settings.ai_chat_model,
        uses_platform_endpoint=not (row and (row.base_url or row.api_key is not None)),
        updated_at=row.updated_at if row else None,
    )


def _without_credentials(url: str) -> str:
    parsed = httpx.URL(url)
    return str(parsed.copy_with(userinfo=b"")) if parsed.userinfo else url


def get_settings(*, session: Session, container: Container, actor: Principal) -> AiSettingsRead:
    return _read(container, session.get(AiSettings, actor.company_id))


def check_base_url(container: Container, url: str) -> str:
    """``url`` if the company's calls may go there, else 422 on ``base_url`` saying why."""
    local = container.settings.masteria_runtime is not Runtime.AWS
    try:
        parsed = httpx.URL(url) if "://" in url else None
    except (httpx.InvalidURL, ValueError, TypeError):
        parsed = None
    scheme = parsed.scheme if parsed else ""
    if scheme not in ("https", "http") or (scheme == "http" and not local):
        reason = "must be an https URL" + (" (or http, on the local runtime)" if local else "")
        raise Invalid("the base URL is not allowed", [FieldError("base_url", reason, code="url_refused")])
    if endpoints.is_trusted(container, url) and not (parsed and parsed.userinfo):
        return url.rstrip("/")
    try:
        check_url(url, allow_http=local, allow_private=local and container.settings.webhooks_allow_private)
    except UnsafeUrl as error:
        raise Invalid(
            "the base URL is not allowed", [FieldError("base_url", str(error), code="url_refused")]
        ) from error
    return url.rstrip("/")


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


def _key_stays_with_its_host(container: Container, row: AiSettings, changes: dict[str, Any]) -> None:
    """422 when ``changes`` would send the saved key to another host than the one it was saved for: the key is
    write-only, so whoever changes where it goes must give it (or null) again, or it could be read off the new
    host."""
    if "base_url" not in changes or "api_key" in changes or row.api_key is None:
        return
    platform = endpoints.platform_base_url(container)
    if _origin(row.base_url or platform) != _origin(changes["base_url"] or platform):
        raise Invalid(
            "a new base URL needs its API key again",
            [FieldError("api_key", "send the key for the new base URL (or null for none): the saved key is never "
                        "sent to another host", code="api_key_required")],
        )  # fmt: skip


def update_settings(
    *, session: Session, container: Container, actor: Principal, data: AiSettingsUpdate
) -> AiSettingsRead:
    """Change the fields given (admin and up); null clears one. A new budget clears the month's "spent" mark, so
    a budget raised mid-month lets replies go on and notifies again when it is spent too. A base URL on another
    host than the saved key's needs the key again (422 ``api_key_required``)."""
    actor.require(Role.ADMIN)
    changes = data.changes()
    if changes.get("base_url") is not None:
        changes["base_url"] = check_base_url(container, changes["base_url"])
    session.execute(
        insert(AiSettings).values(company_id=actor.company_id).on_conflict_do_nothing(index_elements=["company_id"])
    )
    row = session.scalars(select(AiSettings).where(AiSettings.company_id == actor.company_id).with_for_update()).one()
    _key_stays_with_its_host(container, row, changes)
    if "base_url" in changes:
        row.base_url = changes["base_url"]
    if "chat_model" in changes:
        row.chat_model = changes["chat_model"]
    if "api_key" in changes:
        key = changes["api_key"]
        row.api_key = None if key is None else endpoints.seal_key(session, container.company_keys, row, key)
        row.api_key_hint = key[-HINT_CHARS:] if key is not None and len(key) >= HINT_MIN_KEY else None
    if "monthly_budget_usd" in changes and changes["monthly_budget_usd"] != row.monthly_budget_usd:
        row.monthly_budget_usd = changes["monthly_budget_usd"]
        row.budget_spent_month = None
    session.flush()
    session.refresh(row)
    return _read(container, row)


def check_settings(*, session: Session, container: Container, actor: Principal) -> CheckResult:
    """One tiny chat call to the endpoint the company's replies use (admin and up): ok, or the failure's category
    with a clear message, and then a notification too. The call's usage is recorded (purpose ``test``)."""
    actor.require(Role.ADMIN)
    now = container.clock.now()
    try:
        endpoint = endpoints.resolve_endpoint(session, container=container, company_id=actor.company_id)
    except SecretUnreadable:
        message = "the stored API key cannot be read (it was sealed under another key): set the key again"
        return CheckResult(ok=False, category=Category.AUTH.value, code="ai_key_unreadable", message=message,
                           model="", host="", status=None, latency_ms=0)  # fmt: skip
    chat = endpoints.chat_for_endpoint(container, endpoint, interactive=True)
    started = time.monotonic()
    try:
        result = chat.chat(
            ChatRequest(messages=(UserMessage(content=CHECK_PROMPT),), max_output_tokens=CHECK_MAX_TOKENS)
        )
    except ModelError as error:
        latency = round((time.monotonic() - started) * 1000)
        timeout = endpoints.timeout_of(container, endpoint, interactive=True)
        failures.notify_model_error(session, company_id=actor.company_id, error=error, host=endpoint.host, now=now,
                                    timeout_seconds=timeout)  # fmt: skip
        return CheckResult(
            ok=False,
            category=error.category.value,
            code=failures.problem_code(error.category),
            message=failures.describe(error, host=endpoint.host, timeout_seconds=timeout),
            model=endpoint.model,
            host=endpoint.host,
            status=error.status,
            latency_ms=latency,
        )
    finally:
        chat.close()
    latency = round((time.monotonic() - started) * 1000)
    record_usage(session, company_id=actor.company_id, purpose="test", model=result.model, usage=result.usage)
    return CheckResult(
        ok=True,
        category=None,
        code="ok",
        message=f"the AI endpoint at {endpoint.host} answered with model {result.model!r}",
        model=result.model,
        host=endpoint.host,
        status=None,
        latency_ms=latency,
    )


def _range(start: date | None, end: date | None, now: datetime, zone: Any) -> tuple[date, date]:
    outside = [
        FieldError(name, f"must be from {FIRST_USAGE_DAY} to {LAST_USAGE_DAY}", code="out_of_range",
                   params={"min": str(FIRST_USAGE_DAY), "max": str(LAST_USAGE_DAY)})
        for name, given in (("from", start), ("to", end))
        if given is not None and not FIRST_USAGE_DAY <= given <= LAST_USAGE_DAY
    ]  # fmt: skip
    if outside:
        raise Invalid(f"the period must lie between {FIRST_USAGE_DAY} and {LAST_USAGE_DAY}", outside)
    if start is None and end is None:
        first, _, _ = month_bounds(now, zone)
        return first, now.astimezone(zone).date()
    if start is None or end is None:
        day = start or end
        assert day is not None
        start, end = (day, now.astimezone(zone).date()) if end is None else (day.replace(day=1), day)
    if end < start:
        raise Invalid("the period ends before it starts",
                      [FieldError("to", "is before from", code="range_order")])  # fmt: skip
    if (end - start).days >= MAX_USAGE_DAYS:
        raise Invalid(f"the period is longer than {MAX_USAGE_DAYS} days",
                      [FieldError("to", f"at most {MAX_USAGE_DAYS} days after from", code="range_too_long",
                                  params={"days": MAX_USAGE_DAYS})])  # fmt: skip
    return start, end


def _instant(day: date, zone: Any) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def usage_report(
    *,
    session: Session,
    container: Container,
    actor: Principal,
    start: date | None,
    end: date | None,
    group_by: GroupBy,
) -> UsageReport:
    """Tokens and estimated cost from ``start`` to ``end`` (days, both included, in the company's timezone;
    default: this month so far), by persona, conversation or day; and this month's spend against the budget."""
    now = container.clock.now()
    zone = company_zone(session, actor.company_id)
    first_day, last_day = _range(start, end, now, zone)
    since, until = _instant(first_day, zone), _instant(last_day + timedelta(days=1), zone)
    columns = (
        func.count().label("calls"),
        func.coalesce(func.sum(AiUsage.prompt_tokens), 0).label("prompt_tokens"),
        func.coalesce(func.sum(AiUsage.completion_tokens), 0).label("completion_tokens"),
        func.coalesce(func.sum(AiUsage.cost_usd), 0).label("cost_usd"),
    )
    window = (AiUsage.company_id == actor.company_id, AiUsage.created_at >= since, AiUsage.created_at < until)
    key: Any
    if group_by == "persona":
        key = AiUsage.persona_id
    elif group_by == "conversation":
        key = AiUsage.conversation_id
    else:
        key = cast(func.timezone(zone.key, AiUsage.created_at), Date)
    # by position: the day's expression binds the timezone as a parameter, and two bindings are two expressions
    rows = session.execute(
        select(key.label("key"), *columns).where(*window).group_by(text("1")).order_by(text("1"))
    ).all()
    names: dict[uuid.UUID, str] = {}
    if group_by == "persona":
        ids = [r.key for r in rows if r.key is not None]
        names = {
            row.id: row.name for row in session.execute(select(Persona.id, Persona.name).where(Persona.id.in_(ids)))
        }
    groups = [
        UsageGroup(
            key=None if r.key is None else str(r.key.isoformat() if isinstance(r.key, date) else r.key),
            label=names.get(r.key) if group_by == "persona" and r.key is not None else None,
            calls=r.calls,
            prompt_tokens=r.prompt_tokens,
            completion_tokens=r.completion_tokens,
            cost_usd=Decimal(r.cost_usd),
        )
        for r in rows
    ]
    if group_by != "day":
        groups.sort(key=lambda g: (-g.cost_usd, -g.calls, g.key or ""))
    unpriced = session.scalar(select(func.count()).select_from(AiUsage).where(*window, AiUsage.priced.is_(False)))
    settings = session.get(AiSettings, actor.company_id)
    budget = settings.monthly_budget_usd if settings else None
    _, month_start, month_end = month_bounds(now, zone)
    month = spend_between(session, company_id=actor.company_id, start=month_start, end=month_end)
    return UsageReport(
        start=since,
        end=until,
        group_by=group_by,
        timezone=zone.key,
        groups=groups,
        calls=sum(g.calls for g in groups),
        prompt_tokens=sum(g.prompt_tokens for g in groups),
        completion_tokens=sum(g.completion_tokens for g in groups),
        cost_usd=sum((g.cost_usd for g in groups), Decimal(0)),
        unpriced_calls=unpriced or 0,
        month_spend_usd=month,
        monthly_budget_usd=budget,
        budget_remaining_usd=None if budget is None else max(Decimal(0), Decimal(budget) - month),
        budget_spent=budget is not None and month >= Decimal(budget),
    )
