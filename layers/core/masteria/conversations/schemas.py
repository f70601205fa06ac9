from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, HttpUrl, StringConstraints, field_validator

from masteria.event_payloads import ConversationAiFields
from masteria.schemas import ReadModel, StrictModel


class ConversationFilter(StrictModel):
    status: Literal["open", "pending", "closed"] | None = None
    assignee: str | None = Field(default=None, description="me, none, or a user id")
    channel: Literal["whatsapp", "sms"] | None = None
    unread: bool | None = None
    tag_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None


class ContactSummary(ReadModel):
    id: uuid.UUID
    name: str | None
    phone: str


class ConversationAi(ConversationAiFields, ReadModel):
    """The AI in the conversation: whether it answers (``active``), or why it stopped (``paused``,
    ``handed_off``); ``conversation.updated`` carries the same when it changes."""


class ConversationRead(ReadModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    channel: str
    status: str
    assignee_id: uuid.UUID | None
    contact: ContactSummary
    last_message_at: datetime | None
    last_inbound_at: datetime | None
    window_expires_at: datetime | None
    window_open: bool
    unread_count: int
    created_at: datetime
    ai: ConversationAi | None = Field(default=None, description="null: the AI has not been in this conversation")


class Reaction(ReadModel):
    by: str = Field(description="the WhatsApp id (phone number digits) of who reacted")
    emoji: str
    at: datetime


class MessageRead(ReadModel):
    id: uuid.UUID
    direction: str
    wamid: str
    type: str
    text: str | None
    content: dict[str, Any]
    reply_to_wamid: str | None
    status: str
    status_at: datetime | None
    errors: list[dict[str, Any]]
    sent_at: datetime
    edited_at: datetime | None = Field(default=None, description="when the contact last edited it")
    deleted_at: datetime | None = Field(default=None, description="when the contact deleted it")
    reactions: list[Reaction] = Field(default_factory=list, description="one per sender")
    media_url: str | None = Field(default=None, description="a link to the stored file, valid for 15 minutes")

    @field_validator("reactions", mode="before")
    @classmethod
    def _shown(cls, value: Any) -> Any:
        """A reaction taken back is kept (with its time) but not shown."""
        return [r for r in value if not isinstance(r, dict) or r.get("emoji")] if isinstance(value, list) else value


class MediaReply(StrictModel):
    type: Literal["image", "document", "audio", "video", "sticker"] = Field(examples=["image"])
    link: HttpUrl = Field(examples=["https://cdn.example.com/catalogo.pdf"])
    caption: Annotated[str, StringConstraints(max_length=1024)] | None = None
    filename: Annotated[str, StringConstraints(max_length=240)] | None = None


class Reply(StrictModel):
    """One of: ``text``, ``media``, or ``template_id`` (a WhatsApp template, filled in for the contact)."""

    text: Annotated[str, StringConstraints(min_length=1, max_length=4096)] | None = Field(
        default=None, examples=["Oi! Como posso ajudar?"]
    )
    media: MediaReply | None = None
    template_id: uuid.UUID | None = Field(default=None, examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"])
    reply_to: uuid.UUID | None = Field(default=None, description="the id of the message this answers")


class NoteCreate(StrictModel):
    body: Annotated[str, StringConstraints(min_length=1, max_length=10_000)] = Field(examples=["Cliente VIP"])


class NoteRead(ReadModel):
    id: uuid.UUID
    author_id: uuid.UUID | None
    body: str
    created_at: datetime


class Assign(StrictModel):
    assignee_id: uuid.UUID | None = Field(examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"])


class UnreadCounts(ReadModel):
    conversations: int
    messages: int
