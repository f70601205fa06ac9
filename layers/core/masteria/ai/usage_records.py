"""What the AI spent: one ``ai_usage`` row per model call, a company's spend in a month, and the monthly budget that
stops automatic replies once it is spent.

The month is the company's calendar month in the company's own timezone (``companies.timezone``): a company in
São Paulo starts a new budget at its midnight of the 1st, not at UTC's, as the dashboard's month shows it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from masteria.ai.models import AiSettings, AiUsage
from masteria.ai.shapes import Usage
from masteria.ai.usage import estimate_cost
from masteria.notifications import service as notifications
from masteria.tenancy.models import Company

BUDGET_SPENT = "ai.budget_spent"  # the notification's kind


def record_usage(
    session: Session,
    *,
    company_id: uuid.UUID,
    purpose: str,
    model: str,
    usage: Usage,
    persona_id: uuid.UUID | None = None,
    persona_version: int | None = None,
    conversation_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> AiUsage:
    """One model call's tokens and estimated cost (``purpose``: reply, test or embedding). ``now`` None: the
    transaction's time."""
    cost = estimate_cost(usage, model)
    row = AiUsage(
        company_id=company_id,
        persona_id=persona_id,
        persona_version=persona_version,
        conversation_id=conversation_id,
        purpose=purpose,
        model=model[:120],
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=cost.usd,
        priced=cost.priced,
    )
    if now is not None:
        row.created_at = now
    session.add(row)
    session.flush()
    return row


def company_zone(session: Session, company_id: uuid.UUID) -> ZoneInfo:
    """The company's timezone (UTC should its name be unknown to this machine)."""
    name = session.scalar(select(Company.timezone).where(Company.id == company_id))
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def month_bounds(now: datetime, zone: ZoneInfo) -> tuple[date, datetime, datetime]:
    """The first day of ``now``'s month in ``zone``, and that month's start and end as instants (UTC)."""
    local = now.astimezone(zone)
    first = local.date().replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    start = datetime(first.year, first.month, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(following.year, following.month, 1, tzinfo=zone).astimezone(UTC)
    return first, start, end


def spend_between(session: Session, *, company_id: uuid.UUID, start: datetime, end: datetime) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(AiUsage.cost_usd), 0)).where(
            AiUsage.company_id == company_id, AiUsage.created_at >= start, AiUsage.created_at < end
        )
    )
    return Decimal(total or 0)


def month_spend(session: Session, *, company_id: uuid.UUID, now: datetime) -> Decimal:
    """The company's estimated AI cost (USD) in ``now``'s calendar month, in the company's timezone."""
    _, start, end = month_bounds(now, company_zone(session, company_id))
    return spend_between(session, company_id=company_id, start=start, end=end)


def budget_allows(session: Session, *, company_id: uuid.UUID, now: datetime) -> bool:
    """Whether automatic replies may still spend this month: False once a monthly budget is set and the month's
    spend reached it (a budget of 0 allows none). The first call to find it spent in a month marks the month
    (``budget_spent_month``) and notifies the company, once: the mark is a conditional UPDATE, so of concurrent
    callers only the one whose UPDATE changed the row notifies (the others wait on its row lock, then find the
    month already marked)."""
    settings = session.get(AiSettings, company_id)
    if settings is None or settings.monthly_budget_usd is None:
        return True
    budget = Decimal(settings.monthly_budget_usd)
    first, start, end = month_bounds(now, company_zone(session, company_id))
    spent = spend_between(session, company_id=company_id, start=start, end=end)
    if spent < budget:
        return True
    if settings.budget_spent_month != first:
        marked = session.execute(
            update(AiSettings)
            .where(
                AiSettings.company_id == company_id,
                AiSettings.budget_spent_month.is_distinct_from(first),
            )
            .values(budget_spent_month=first)
            .returning(AiSettings.company_id)
            .execution_options(synchronize_session=False)
        ).first()
        if marked is not None:
            session.refresh(settings, ["budget_spent_month"])
            notifications.notify(
                session,
                company_id=company_id,
                kind=BUDGET_SPENT,
                title="The AI's monthly budget is spent",
                body=(
                    f"The AI spent US$ {spent:.2f} of its US$ {budget:.2f} budget for {first:%Y-%m}: automatic "
                    "replies are paused until next month, or until the budget is raised in the AI settings."
                ),
                data={"month": first.isoformat(), "budget_usd": f"{budget:.2f}", "spent_usd": f"{spent:.2f}"},
            )
    return False
