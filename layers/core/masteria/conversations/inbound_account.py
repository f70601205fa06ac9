"""Account-level events (``AccountEvent``, not about one message), dispatched by kind to the context they are
about: a template's status, quality, category and components (templates.meta_updates, checked against their
shapes there), a contact's marketing preference (contacts.marketing_preferences), the account's updates
(channels.account_events), a number's messaging limit and throughput level (here: two columns of the connection).

Each gets the event's time (the provider's time of it, kept on every retry): the account's updates and a
template's status are applied in that order, so that a late retry of an older event never undoes a newer one."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from masteria.channels import account_events
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import AccountEvent
from masteria.contacts import marketing_preferences
from masteria.conversations.inbound_common import Result, checked
from masteria.templates import meta_updates

Handler = Callable[[Session, ChannelConnection, AccountEvent, Result], None]


def template_status(session: Session, connection: ChannelConnection, event: AccountEvent, result: Result) -> None:
    checked(meta_updates.StatusUpdate, event.data)
    result.updates += meta_updates.apply_status(session, event.data, event.at)


def template_quality(session: Session, connection: ChannelConnection, event: AccountEvent, result: Result) -> None:
    checked(meta_updates.QualityUpdate, event.data)
    result.updates += meta_updates.apply_quality(session, event.data)


def template_category(session: Session, connection: ChannelConnection, event: AccountEvent, result: Result) -> None:
    checked(meta_updates.CategoryUpdate, event.data)
    result.updates += meta_updates.apply_category(session, event.data)


def template_components(session: Session, connection: ChannelConnection, event: AccountEvent, result: Result) -> None:
    checked(meta_updates.ComponentsUpdate, event.data)
    result.updates += meta_updates.apply_components(session, event.data)


def user_preferences(session: Session, connection: ChannelConnection, event: AccountEvent, result: Result) -> None:
    checked(marketing_preferences.PreferencesValue, event.data)
    result.updates += marketing_preferences.apply_preferences(session, connection, event.data)


def number_limits(session: Session, connection: ChannelConnection, event: AccountEvent, result: Result) -> None:
    """The number's messaging limit and throughput level (``data``: either, or both), as the provider says."""
    limit, level = event.data.get("messaging_limit"), event.data.get("throughput_level")
    if limit:
        connection.messaging_limit = str(limit)[:32]
    if level:
        connection.throughput_level = str(level)[:32]
    result.updates += 1


def account_update(session: Session, connection: ChannelConnection, event: AccountEvent, result: Result) -> None:
    checked(account_events.AccountUpdate, event.data)
    result.updates += account_events.apply_account_update(session, connection, event.data, event.at)


# What each kind of account event means to us: one line per kind a provider sends that we act on.
HANDLERS: dict[str, Handler] = {
    "message_template_status_update": template_status,
    "message_template_quality_update": template_quality,
    "template_category_update": template_category,
    "message_template_components_update": template_components,
    "user_preferences": user_preferences,
    "number_limits": number_limits,
    "account_update": account_update,
}
