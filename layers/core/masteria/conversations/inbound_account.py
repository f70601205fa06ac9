"""Account-level changes of Meta's webhooks (not about one message), each checked against its shape and handed
to the context it is about: a template's status, quality, category and components (templates.meta_updates),
a contact's marketing preference (contacts.marketing_preferences), the account's updates
(channels.account_events), a phone number's quality and limits (here: two columns of the connection).

Each gets the time of its webhook entry (Meta's time of the event, kept on every retry of it): the account's
updates and a template's status are applied in that order, so that a late retry of an older event never undoes
a newer one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from masteria.channels import account_events
from masteria.channels.models import ChannelConnection
from masteria.contacts import marketing_preferences
from masteria.conversations.inbound_common import Result, Unprocessable, checked
from masteria.templates import meta_updates

Handler = Callable[[Session, ChannelConnection, dict[str, Any], datetime | None, Result], None]
TIME_MAX = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second a datetime holds


def entry_time(value: Any) -> datetime | None:
    """The ``time`` of a webhook entry (unix seconds), None where Meta gave none; bad input otherwise."""
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= TIME_MAX:
        raise Unprocessable("entry.time: not a unix time in seconds")
    return datetime.fromtimestamp(value, UTC)


def template_status(
    session: Session, connection: ChannelConnection, value: dict[str, Any], at: datetime | None, result: Result
) -> None:
    checked(meta_updates.StatusUpdate, value)
    result.updates += meta_updates.apply_status(session, value, at)


def template_quality(
    session: Session, connection: ChannelConnection, value: dict[str, Any], at: datetime | None, result: Result
) -> None:
    checked(meta_updates.QualityUpdate, value)
    result.updates += meta_updates.apply_quality(session, value)


def template_category(
    session: Session, connection: ChannelConnection, value: dict[str, Any], at: datetime | None, result: Result
) -> None:
    checked(meta_updates.CategoryUpdate, value)
    result.updates += meta_updates.apply_category(session, value)


def template_components(
    session: Session, connection: ChannelConnection, value: dict[str, Any], at: datetime | None, result: Result
) -> None:
    checked(meta_updates.ComponentsUpdate, value)
    result.updates += meta_updates.apply_components(session, value)


def user_preferences(
    session: Session, connection: ChannelConnection, value: dict[str, Any], at: datetime | None, result: Result
) -> None:
    checked(marketing_preferences.PreferencesValue, value)
    result.updates += marketing_preferences.apply_preferences(session, connection, value)


def phone_number_quality(
    session: Session, connection: ChannelConnection, value: dict[str, Any], at: datetime | None, result: Result
) -> None:
    limit = value.get("max_daily_conversations_per_business") or value.get("current_limit")
    if limit:
        connection.messaging_limit = str(limit)[:32]
    if value.get("event") == "THROUGHPUT_UPGRADE":
        connection.throughput_level = "HIGH"
    result.updates += 1


def account_update(
    session: Session, connection: ChannelConnection, value: dict[str, Any], at: datetime | None, result: Result
) -> None:
    checked(account_events.AccountUpdate, value)
    result.updates += account_events.apply_account_update(session, connection, value, at)
