"""What the inbound processor's parts share: the result of a body, the refusal of one, the media access."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from masteria.channels.graph import GraphClient
from masteria.conversations import inbound_shapes as shapes
from masteria.crypto import CompanyKeys
from masteria.ports import ObjectStore

WINDOW = timedelta(hours=24)
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")


class Unprocessable(ValueError):
    """The body is not a webhook we understand: dead-lettered whole."""


@dataclass(frozen=True)
class MediaCopy:
    """A file to copy from Meta once the body's transaction has committed (never inside it)."""

    connection_id: uuid.UUID
    message_id: uuid.UUID
    media_id: str
    key: str  # where it goes in our object store, and where on the message it is recorded (``stored``)


@dataclass
class Result:
    messages: int = 0
    duplicates: int = 0
    statuses: int = 0
    updates: int = 0
    dead_lettered: bool = False
    errors: list[str] = field(default_factory=list)
    campaigns: set[uuid.UUID] = field(default_factory=set)  # whose ledger the statuses moved
    media: list[MediaCopy] = field(default_factory=list)


@dataclass(frozen=True)
class Media:
    """What copying inbound media needs: the Graph API, the object store and the company keys (for the token)."""

    graph: GraphClient
    store: ObjectStore
    keys: CompanyKeys


def time(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def checked(model: type[BaseModel], data: Any) -> None:
    try:
        model.model_validate(data)
    except ValidationError as error:
        raise Unprocessable(f"not as Meta sends it: {shapes.problem(error)}") from error
