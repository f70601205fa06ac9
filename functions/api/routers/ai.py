"""A company's AI settings (its model endpoint, key and monthly budget), the endpoint's check, and usage."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from functions.api.deps import CallerDep, ContainerDep
from functions.api.error_docs import problems
from masteria.ai import settings_service
from masteria.ai.schemas import AiSettingsRead, AiSettingsUpdate, CheckResult, GroupBy, UsageReport

router = APIRouter(prefix="/v1/ai", tags=["ai"])


@router.get("/settings", response_model=AiSettingsRead)
def get_settings(caller: CallerDep, container: ContainerDep) -> AiSettingsRead:
    """The company's model endpoint (null fields: the platform's default), the key's hint only, the budget."""
    return settings_service.get_settings(session=caller.session, container=container, actor=caller.principal)


@router.put("/settings", responses=problems(403), response_model=AiSettingsRead)
def update_settings(body: AiSettingsUpdate, caller: CallerDep, container: ContainerDep) -> AiSettingsRead:
    """Change the fields given (admin and up; null clears one): `base_url` (https; http on the local runtime only;
    never a private address), `chat_model`, `api_key` (write-only, sealed at rest), `monthly_budget_usd`."""
    return settings_service.update_settings(
        session=caller.session, container=container, actor=caller.principal, data=body
    )


@router.post("/settings/check", responses=problems(403), response_model=CheckResult)
def check_settings(caller: CallerDep, container: ContainerDep) -> CheckResult:
    """One tiny chat call to the configured endpoint (admin and up): `ok`, or the failure's `category` (`auth`:
    the key is refused; `timeout`; `unavailable`; `rate_limited`; `invalid_request`, e.g. an unknown model;
    `invalid_response`) with a clear message, and a notification."""
    return settings_service.check_settings(session=caller.session, container=container, actor=caller.principal)


@router.get("/usage", response_model=UsageReport)
def usage(
    caller: CallerDep,
    container: ContainerDep,
    start: Annotated[date | None, Query(alias="from", description="first day (company's timezone)")] = None,
    end: Annotated[date | None, Query(alias="to", description="last day, included (default: today)")] = None,
    group_by: GroupBy = "persona",
) -> UsageReport:
    """Tokens and estimated cost (USD) from `from` to `to` (default: this month so far) by persona, conversation
    or day, and this calendar month's spend against the monthly budget."""
    return settings_service.usage_report(
        session=caller.session, container=container, actor=caller.principal, start=start, end=end,
        group_by=group_by,
    )  # fmt: skip
