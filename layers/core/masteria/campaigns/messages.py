"""The message a campaign sends one recipient, channel-neutral (``OutboundMessage``), carrying the recipient's
ledger id to come back with every status: on WhatsApp its template filled from the campaign's parameters and
defaults and the contact's values; on SMS its local text template rendered for the contact."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from masteria.campaigns import ledger
from masteria.campaigns.models import Campaign
from masteria.channels.providers.port import OutboundMessage
from masteria.templates.models import LocalTemplate, WhatsAppTemplate
from masteria.templates.rendering import contact_values, render
from masteria.templates.whatsapp import fill


def _values(recipient: Any) -> dict[str, str]:
    return contact_values(
        {
            "name": recipient.name,
            "phone": recipient.phone,
            "email": recipient.email,
            "language": recipient.language,
            "custom_fields": recipient.custom_fields,
        }
    )


class Content(Protocol):
    def message(self, recipient: Any) -> OutboundMessage:
        """The message for a claimed ledger row (its ``id`` and ``phone``, and the contact's ``name``,
        ``email``, ``language`` and ``custom_fields``); ``Invalid`` when the contact's values do not fill it."""
        ...


@dataclass(frozen=True)
class TemplateSend:
    """A WhatsApp template, read once per drive (detached from its session)."""

    template: WhatsAppTemplate
    parameters: dict[str, str]  # template parameter → contact variable
    defaults: dict[str, str]  # template parameter → value when the contact has none

    def message(self, recipient: Any) -> OutboundMessage:
        filled = fill(self.template, _values(recipient), parameters=self.parameters, defaults=self.defaults)
        return OutboundMessage(
            to=recipient.phone.lstrip("+"),
            kind="template",
            template={
                "name": self.template.name,
                "language": self.template.language,
                "components": list(filled.send_components),
            },
            opaque=ledger.opaque(recipient.id),
        )


@dataclass(frozen=True)
class TextSend:
    """A local text template (SMS), rendered for each contact: its variables from the contact, else from the
    campaign's defaults, else from the template's."""

    body: str
    defaults: dict[str, str]

    def text(self, recipient: Any) -> str:
        return render(self.body, _values(recipient), self.defaults)

    def message(self, recipient: Any) -> OutboundMessage:
        return OutboundMessage(
            to=recipient.phone.lstrip("+"), kind="text", text=self.text(recipient), opaque=ledger.opaque(recipient.id)
        )


def content_of(session: Session, campaign: Campaign) -> Content | None:
    """What the campaign sends (None: its template was deleted)."""
    if campaign.local_template_id is not None:
        local = session.get(LocalTemplate, campaign.local_template_id)
        if local is None:
            return None
        return TextSend(body=local.body, defaults={**local.defaults, **campaign.defaults})
    template = session.get(WhatsAppTemplate, campaign.whatsapp_template_id) if campaign.whatsapp_template_id else None
    if template is None:
        return None
    session.expunge(template)
    return TemplateSend(template=template, parameters=dict(campaign.parameters), defaults=dict(campaign.defaults))
