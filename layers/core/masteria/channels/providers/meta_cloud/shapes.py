"""The shape of Meta's webhook bodies, as far as the inbound processor reads them (META.md §2.4).

A body is checked against these before it is applied, so a body that is not what Meta sends is refused as
bad input (kept as a dead letter, saying what is wrong) and a ``KeyError`` or ``TypeError`` while applying one
is a fault of ours (retried, then kept as a dead letter too). The models allow the fields they do not name:
Meta adds fields, and the processor keeps Meta's objects whole."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

# A WhatsApp id is the sender's phone number in digits: at most 15 (E.164), never letters.
_WA_ID = r"^[0-9]{1,15}$"
WaId = Annotated[str, StringConstraints(pattern=_WA_ID)]
MESSAGE_ID_MAX = 255
MessageId = Annotated[str, StringConstraints(min_length=1, max_length=MESSAGE_ID_MAX)]


def is_wa_id(value: str) -> bool:
    return re.fullmatch(_WA_ID, value) is not None


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Contact(_Loose):
    wa_id: WaId | None = None
    profile: dict[str, Any] | None = None


class _Message(_Loose):
    from_: WaId = Field(alias="from")
    id: MessageId
    timestamp: int
    type: str | None = Field(default=None, max_length=32)
    context: dict[str, Any] | None = None
    errors: list[dict[str, Any]] | None = None


class _Status(_Loose):
    id: MessageId
    status: str = Field(max_length=32)
    timestamp: int
    recipient_id: str | None = Field(default=None, max_length=64)
    errors: list[dict[str, Any]] | None = None
    pricing: dict[str, Any] | None = None
    biz_opaque_callback_data: str | None = Field(default=None, max_length=512)


class MessagesValue(_Loose):
    """The ``value`` of a ``messages`` change: messages, statuses, their contacts, Meta's errors."""

    metadata: dict[str, Any] | None = None
    contacts: list[_Contact] = Field(default_factory=list)
    messages: list[_Message] = Field(default_factory=list)
    statuses: list[_Status] = Field(default_factory=list)
    errors: list[dict[str, Any]] = Field(default_factory=list)


class _Call(_Loose):
    id: MessageId
    from_: WaId | None = Field(default=None, alias="from")
    to: WaId | None = None
    event: str | None = Field(default=None, max_length=32)
    timestamp: int
    direction: str | None = Field(default=None, max_length=32)
    status: str | list[str] | None = None
    start_time: int | None = None
    end_time: int | None = None
    duration: int | None = Field(default=None, ge=0)


class CallsValue(_Loose):
    """The ``value`` of a ``calls`` change: calls (connect, terminate) and their contacts."""

    metadata: dict[str, Any] | None = None
    contacts: list[_Contact] = Field(default_factory=list)
    calls: list[_Call] = Field(default_factory=list)


class _Value(_Loose):
    metadata: dict[str, Any] | None = None  # read before the change itself is (its phone number id)


class _Change(_Loose):
    field: str | None = None
    value: _Value | None = None


class _Entry(_Loose):
    changes: list[_Change] | None = None


class Body(_Loose):
    object: Literal["whatsapp_business_account"]
    entry: list[_Entry]


def problem(error: ValidationError) -> str:
    """What is wrong with a body, in a line: the first place that is not as Meta sends it."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "the body"
    return f"{where}: {first.get('msg', 'invalid')}"
