"""Ports: what the domain needs from the world, as Protocols (DESIGN.md §3).

Each port has an AWS adapter (``adapters/aws``), a local adapter (``adapters/local``) and, where
useful, an in-memory twin (``adapters/memory``). ``bootstrap.container()`` picks the set.
Ports for later capabilities are added with the issues that first use them.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the AI shapes are pydantic models: a function that never calls a model does not build them
    from masteria.ai.shapes import ChatRequest, ChatResult, Embeddings

# SQS limits, mirrored by the local queue so both behave alike.
MAX_BATCH = 10
MAX_MESSAGE_BYTES = 256 * 1024  # SQS's limit on a message body (and on a whole batch)
MAX_DELAY_SECONDS = 900
MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200


class BatchRefused(RuntimeError):
    """``Queue.send_batch`` sent some of a batch and refused the others (SQS's partial failure): ``refused`` maps
    each refused body's index in the batch to the queue's reason; the others were sent."""

    def __init__(self, refused: dict[int, str], size: int) -> None:
        super().__init__(f"the queue refused {len(refused)} of {size} messages: {sorted(set(refused.values()))}")
        self.refused = refused


@dataclass(frozen=True)
class QueueConfig:
    """How one queue behaves: redelivery and dead-lettering (from ``functions/manifest.py``)."""

    name: str
    visibility_timeout_seconds: int
    max_receives: int
    dead_letter_queue: str | None


@dataclass(frozen=True)
class ReceivedMessage:
    message_id: str
    receipt: str
    body: str
    receive_count: int


class Queue(Protocol):
    """At-least-once queues with SQS semantics: batches of up to 10, delay, visibility timeout,
    redelivery, and a dead-letter queue after ``max_receives`` receives."""

    def send(self, queue: str, body: str, *, delay_seconds: int = 0) -> str: ...

    def send_batch(self, queue: str, bodies: Sequence[str], *, delay_seconds: int = 0) -> list[str]:
        """Send up to 10 bodies; raises ``BatchRefused`` when only some were sent."""
        ...

    def receive(
        self, queue: str, *, max_messages: int = MAX_BATCH, wait_seconds: float = 0
    ) -> list[ReceivedMessage]: ...

    def delete(self, queue: str, receipts: Sequence[str]) -> None: ...

    def change_visibility(self, queue: str, receipt: str, *, timeout_seconds: int) -> None: ...

    def approximate_depth(self, queue: str) -> int: ...


class ObjectStore(Protocol):
    """Files: CSV uploads and exports, inbound media, knowledge documents (S3 on AWS, a folder locally)."""

    def put(self, key: str, data: IO[bytes]) -> int: ...

    def open(self, key: str) -> IO[bytes]: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int | None:
        """The object's size in bytes, or None when there is no such object."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object (nothing when there is none)."""
        ...

    def upload_url(self, key: str, *, expires_seconds: int, max_bytes: int) -> str | None:
        """A presigned URL a browser can PUT the object to, or None where the API takes the upload."""
        ...

    def download_url(self, key: str, *, expires_seconds: int) -> str | None:
        """A presigned URL to GET the object, or None where the API serves it (``masteria.media``)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class KeyService(Protocol):
    """Data keys for envelope encryption (KMS in AWS, a local master key otherwise). A wrapped key is
    bound to its company: unwrapping it as another company's fails."""

    def generate_data_key(self, company_id: uuid.UUID) -> tuple[bytes, bytes]:
        """A fresh 256-bit key: (plaintext, wrapped)."""
        ...

    def decrypt_data_key(self, company_id: uuid.UUID, wrapped: bytes) -> bytes: ...


@dataclass(frozen=True)
class EventCause:
    """Why an event happened when an automation rule's action made it: the rules of the chain that led to it (the
    first rule first) and how many rule runs deep it is. A rule is never run again by an event its own chain caused,
    and a chain stops at a depth limit (``masteria.automations.runner``)."""

    rule_ids: tuple[uuid.UUID, ...]
    depth: int

    def to_json(self) -> dict[str, Any]:
        return {"rule_ids": [str(r) for r in self.rule_ids], "depth": self.depth}

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> EventCause | None:
        if not value:
            return None
        return cls(rule_ids=tuple(uuid.UUID(r) for r in value.get("rule_ids", ())), depth=int(value.get("depth", 0)))


@dataclass(frozen=True)
class PublishedEvent:
    """A domain event as consumers receive it (EventBridge ``detail-type`` = type, ``detail`` = the rest)."""

    event_id: uuid.UUID
    company_id: uuid.UUID
    type: str
    data: dict[str, Any]
    occurred_at: datetime
    # The outbox row's id: increasing, the cursor a realtime client catches up from (None before it is stored).
    sequence: int | None = None
    cause: EventCause | None = None  # set: an automation rule's action made it (the loop guard reads it)

    def detail(self) -> dict[str, Any]:
        return {
            "event_id": str(self.event_id),
            "company_id": str(self.company_id),
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "data": self.data,
            **({"sequence": self.sequence} if self.sequence is not None else {}),
            **({"cause": self.cause.to_json()} if self.cause is not None else {}),
        }

    @classmethod
    def from_detail(cls, detail: dict[str, Any]) -> PublishedEvent:
        """The event back from ``detail()`` (what an EventBridge consumer receives)."""
        sequence = detail.get("sequence")
        return cls(
            event_id=uuid.UUID(detail["event_id"]),
            company_id=uuid.UUID(detail["company_id"]),
            type=detail["type"],
            data=detail["data"],
            occurred_at=datetime.fromisoformat(detail["occurred_at"]),
            sequence=int(sequence) if sequence is not None else None,
            cause=EventCause.from_json(detail.get("cause")),
        )


class EventBus(Protocol):
    """Publishes committed domain events to their consumers (EventBridge on AWS, the local queue locally)."""

    def publish(self, events: Sequence[PublishedEvent]) -> None: ...


@dataclass(frozen=True)
class InboundSecret:
    """What a webhook function needs of a connection, without the database. ``provider`` says whose: a webhook
    function accepts only its own provider's (Meta: the app secret that signs its bodies and the token of its
    verification handshake; SMS: the SNS topics whose notifications are the connection's, none: accept none)."""

    company_id: uuid.UUID
    connection_id: uuid.UUID
    provider: str = "meta_cloud"
    app_secret: str = ""  # meta_cloud
    verify_token: str = ""  # meta_cloud
    topic_arns: tuple[str, ...] = ()  # sms_aws

    def to_json(self) -> str:
        """How a store keeps it (sealed); ``from_json`` reads it back, an item stored before ``provider`` as Meta's."""
        return json.dumps({**dataclasses.asdict(self), "company_id": str(self.company_id),
                           "connection_id": str(self.connection_id)})  # fmt: skip

    @classmethod
    def from_json(cls, text: str | bytes) -> InboundSecret:
        values = json.loads(text)
        return cls(**{**values, "company_id": uuid.UUID(values["company_id"]),
                      "connection_id": uuid.UUID(values["connection_id"]),
                      "topic_arns": tuple(values.get("topic_arns", ()))})  # fmt: skip


class InboundSecrets(Protocol):
    """Connection secrets by webhook key, readable where the database is not (DynamoDB + KMS on AWS, a
    sealed file locally); written by `connection_secrets` whenever a connection's secrets change."""

    def put(self, webhook_key: str, secret: InboundSecret) -> None: ...

    def get(self, webhook_key: str) -> InboundSecret | None: ...

    def delete(self, webhook_key: str) -> None: ...


class Scheduler(Protocol):
    """One-time schedules that put a message on a queue at a given time (EventBridge Scheduler on AWS, a
    table polled by the schedule loop locally). A name identifies a schedule: scheduling it again moves it."""

    def schedule(self, name: str, *, at: datetime, queue: str, body: str) -> None: ...

    def cancel(self, name: str) -> None:
        """Remove the schedule (nothing happens if there is none)."""
        ...


@dataclass(frozen=True)
class LiveConnection:
    """A WebSocket connection of a signed-in user: who (company, user, role), what it listens to, until when."""

    connection_id: str
    company_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    expires_at: int  # epoch seconds; the registry forgets the connection after it (DynamoDB TTL on AWS)
    topics: frozenset[str] = frozenset()


class ConnectionRegistry(Protocol):
    """The live WebSocket connections by id and by company (DynamoDB with TTL on AWS, in-process locally)."""

    def put(self, connection: LiveConnection) -> None: ...

    def get(self, connection_id: str) -> LiveConnection | None: ...

    def remove(self, connection_id: str) -> None: ...

    def subscribe(self, connection_id: str, topics: frozenset[str]) -> LiveConnection | None:
        """Add topics; the connection as it is now, or None when it is not registered."""
        ...

    def unsubscribe(self, connection_id: str, topics: frozenset[str]) -> LiveConnection | None: ...

    def by_company(self, company_id: uuid.UUID) -> list[LiveConnection]:
        """The company's connections that have not expired."""
        ...


class Realtime(Protocol):
    """Posts a frame to one WebSocket connection (API Gateway's management API on AWS, the local server's
    sockets locally)."""

    def post(self, connection_id: str, frame: str) -> bool:
        """True when handed over; False when the connection is gone (HTTP 410): the caller forgets it."""
        ...


class LLM(Protocol):
    """A chat model (any OpenAI-compatible API: OpenAI itself, the local AI sandbox, a self-hosted server; the
    shapes are in ``masteria.ai.shapes``). Failures are ``masteria.ai.errors.ModelError`` with a category to act on."""

    def chat(self, request: ChatRequest) -> ChatResult: ...


class Embedder(Protocol):
    """Text → vectors. ``model`` and ``dimensions`` are known before any call: the knowledge base stores them beside
    its vectors and never mixes two models' vectors in one search."""

    @property
    def model(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Embeddings:
        """One vector per text, in order (an empty list for no texts). A ``str`` is refused: it is a sequence of
        characters, never what a caller meant."""
        ...
