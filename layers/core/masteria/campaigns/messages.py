"""The message a campaign sends one recipient: its template filled from the campaign's parameters and defaults
and the contact's values, carrying the recipient's ledger id to come back with every status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from masteria.campaigns import ledger
from masteria.channels.providers.meta_cloud import messages
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.rendering import contact_values
from masteria.templates.whatsapp import fill


@dataclass(frozen=True)
class TemplateSend:
    """What every message of a campaign shares, read once per drive (the template detached from its session)."""

    template: WhatsAppTemplate
    parameters: dict[str, str]  # template parameter → contact variable
    defaults: dict[str, str]  # template parameter → value when the contact has none

    def body(self, recipient: Any) -> dict[str, Any]:
        """The send's body for a claimed ledger row (its ``id`` and ``phone``, and the contact's ``name``,
        ``email``, ``language`` and ``custom_fields``); ``Invalid`` when the contact's values do not fill it."""
        values = contact_values(
            {
                "name": recipient.name,
                "phone": recipient.phone,
                "email": recipient.email,
                "language": recipient.language,
                "custom_fields": recipient.custom_fields,
            }
        )
        filled = fill(self.template, values, parameters=self.parameters, defaults=self.defaults)
        return messages.template(
            recipient.phone.lstrip("+"),
            self.template.name,
            self.template.language,
            filled.send_components,
            opaque=ledger.opaque(recipient.id),
        )
