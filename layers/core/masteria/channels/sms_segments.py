"""How an SMS text will travel, shown before it is sent: its encoding, segments and, for an SMS connection, what
it costs at that connection's price per segment. The counting is ``providers.sms.segments``'s; this only answers
for it (the dashboard asks as one types)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints
from sqlalchemy.orm import Session

from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.sms import segments
from masteria.crypto import CompanyKeys
from masteria.db import get_or_404
from masteria.schemas import ReadModel, StrictModel
from masteria.tenancy.service import Principal

TEXT_MAX = 4096  # the longest text any of our composers takes

Text = Annotated[str, StringConstraints(max_length=TEXT_MAX, strip_whitespace=False)]


class SmsSegmentsRequest(StrictModel):
    text: Text = Field(examples=["Olá! Seu pedido saiu para entrega 🚚"])
    connection_id: uuid.UUID | None = Field(
        default=None, description="an SMS connection: the answer then carries the estimated cost at its price"
    )


class SmsCost(ReadModel):
    per_segment: Decimal = Field(examples=["0.07"], description="the connection's price of one segment")
    total: Decimal = Field(examples=["0.14"], description="per_segment times segments")
    currency: str = Field(examples=["BRL"], description="ISO 4217")


class SmsSegmentsRead(ReadModel):
    encoding: Literal["gsm7", "ucs2"] = Field(description="GSM-7 when every character is in its alphabet, else UCS-2")
    characters: int = Field(description="characters of the text (an emoji is one)")
    units: int = Field(description="septets (GSM-7, an extension character takes two) or UTF-16 code units (UCS-2)")
    segments: int = Field(description="the parts it is sent and billed in (0 for an empty text)")
    per_segment: int = Field(description="room in each part: 160 or 153 (GSM-7), 70 or 67 (UCS-2)")
    non_gsm: list[str] = Field(description="the characters that force UCS-2, first seen first")
    cost: SmsCost | None = Field(description="with an SMS `connection_id`: the estimated cost of one send")


def estimate(*, session: Session, actor: Principal, keys: CompanyKeys, data: SmsSegmentsRequest) -> SmsSegmentsRead:
    """The encoding and segments of ``data.text`` and, with an SMS connection, their estimated cost at its price
    (another provider's connection is a 422 on ``connection_id``)."""
    counted = segments.count(data.text)
    cost = None
    if data.connection_id is not None:
        row = get_or_404(session, ChannelConnection, data.connection_id, "connection")
        config = connections.sms(session, keys, row)
        price = config.cost_per_segment
        cost = SmsCost(per_segment=price, total=price * counted.count, currency=config.currency)
    return SmsSegmentsRead(
        encoding=counted.encoding,
        characters=len(data.text),
        units=counted.units,
        segments=counted.count,
        per_segment=counted.per_segment,
        non_gsm=list(counted.non_gsm),
        cost=cost,
    )
