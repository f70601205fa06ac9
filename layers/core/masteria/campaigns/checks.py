"""Whether a campaign holds together before it is saved or scheduled: its connection, template (of that
connection's channel), parameters, rate (at most the number's, as its provider says) and audience, and its text as
the provider would take it (a 422 before anything is queued)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.campaigns import reply_leads
from masteria.campaigns.models import Campaign
from masteria.campaigns.schemas import Audience
from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import Channel, OutboundMessage, Provider, Registry
from masteria.contacts.models import Contact, ContactList, Segment, Tag
from masteria.crypto import CompanyKeys
from masteria.errors import FieldError, Invalid
from masteria.templates.models import LocalTemplate, WhatsAppTemplate
from masteria.templates.whatsapp import check_parameters

if TYPE_CHECKING:
    from pydantic import BaseModel

VARIABLE = re.compile(r"\{\{.*?\}\}")


def channel_of(connection: ChannelConnection | None, providers: Registry) -> Channel | None:
    """The channel a campaign on ``connection`` sends on (its provider's)."""
    return providers.get(connection.provider).channel if connection is not None else None


def check(session: Session, row: Campaign, *, keys: CompanyKeys, providers: Registry) -> None:
    """422 unless the connection, the template (of that connection), its mapping, the rate and the
    audience all hold together, and the provider would send the campaign's text (a local template's body)."""
    errors: list[FieldError] = []
    connection = session.get(ChannelConnection, row.connection_id) if row.connection_id else None
    template = session.get(WhatsAppTemplate, row.whatsapp_template_id) if row.whatsapp_template_id else None
    local = session.get(LocalTemplate, row.local_template_id) if row.local_template_id else None
    channel = channel_of(connection, providers)
    config = None
    if connection is None:
        errors.append(FieldError("connection_id", "no such connection", code="unknown_connection"))
    else:
        config = connections.config(session, keys, connection)
        cap = (
            providers.get(connection.provider).limits(config).rate(connection.throughput_level)
        )  # its number's messages per second
        if row.rate_per_second > cap:
            errors.append(
                FieldError(
                    "rate_per_second",
                    f"the number's throughput allows at most {cap:g} per second",
                    code="throughput_cap",
                    params={"max": cap},
                )
            )
    # the campaign's channel is its connection's: a WhatsApp template on WhatsApp, a local text one on SMS
    if channel == "sms":
        if row.whatsapp_template_id is not None:
            errors.append(_other_channel("whatsapp_template_id", "sms"))
        if local is None:
            errors.append(FieldError("local_template_id", "choose a local text template", code="unknown_template"))
    elif connection is not None:
        if row.local_template_id is not None:
            errors.append(_other_channel("local_template_id", "whatsapp"))
        if template is None or template.connection_id != connection.id:
            errors.append(
                FieldError(
                    "whatsapp_template_id", "no such WhatsApp template on this connection", code="unknown_template"
                )
            )
    audience = Audience.model_validate(row.audience)
    errors.extend(reply_leads.check(session, row))
    if not (audience.tag_ids or audience.list_ids or audience.segment_ids or audience.contact_ids):
        errors.append(FieldError("audience", "choose tags, lists, segments or contacts", code="audience_empty"))
    for name, model, ids in (
        ("tag_ids", Tag, audience.tag_ids),
        ("list_ids", ContactList, audience.list_ids),
        ("segment_ids", Segment, audience.segment_ids),
        ("contact_ids", Contact, audience.contact_ids),  # another company's are invisible (RLS): unknown
    ):
        known = set(session.scalars(select(model.id).where(model.id.in_(ids)))) if ids else set()
        errors.extend(
            FieldError(f"audience.{name}", f"unknown id {i}", code="unknown_id", params={"id": str(i)})
            for i in ids
            if i not in known
        )
    if errors:
        raise Invalid("the campaign does not hold together", errors)
    if connection is not None and config is not None and local is not None:
        _check_text(providers.get(connection.provider), config, local.body)
    if template is not None:
        check_parameters(session, template, row.parameters, row.defaults)


def _other_channel(field: str, channel: str) -> FieldError:
    return FieldError(
        field,
        f"this connection sends {channel}: its campaigns cannot use this kind of template",
        code="template_channel",
        params={"channel": channel},
    )


def _check_text(provider: Provider, config: BaseModel, body: str) -> None:
    """422 with the provider's field errors when it would refuse the text, as written."""
    errors = provider.check(OutboundMessage(to="", kind="text", text=body), config)
    if not errors:
        return
    varies = " (as written: its variables may make each message longer or shorter)" if VARIABLE.search(body) else ""
    raise Invalid(
        f"{provider.channel} would refuse the campaign's text{varies}",
        [FieldError("local_template_id", e.message, code=e.code, params=e.params) for e in errors],
    )
