from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from masteria.contacts.segments import SegmentFilter
from masteria.schemas import Email, ReadModel, StrictModel

FieldType = Literal["text", "number", "date", "boolean", "select"]
Channel = Literal["whatsapp", "sms"]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class CustomFieldCreate(StrictModel):
    key: Key = Field(examples=["plan"], description="lower-case identifier used in filters and templates")
    label: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(examples=["Plan"])
    type: FieldType = Field(examples=["select"])
    options: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=200, examples=[["basic", "pro"]], description="choices of a select field"
    )


class NameSearch(StrictModel):
    """How the tags, lists, segments and custom fields are searched: ``q`` in the name (for custom fields the
    label or key), ignoring case; ``ids`` keeps only those (to show the names of chosen ones)."""

    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)


class CustomFieldRead(ReadModel):
    id: uuid.UUID
    key: str
    label: str
    type: FieldType
    options: list[str]
    created_at: datetime


class ContactCreate(StrictModel):
    phone: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(examples=["+55 11 91234-5678"])
    name: Annotated[str, StringConstraints(max_length=200)] | None = Field(default=None, examples=["Maria Silva"])
    email: Email | None = Field(default=None, examples=["maria@example.com"])
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")] | None = Field(
        default=None, examples=["pt_BR"]
    )
    notes: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict, examples=[{}])


class ContactUpdate(StrictModel):
    phone: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = Field(
        default=None, examples=["+55 11 91234-5678"]
    )
    name: Annotated[str, StringConstraints(max_length=200)] | None = Field(default=None, examples=["Maria Silva"])
    email: Email | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")] | None = None
    notes: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="merged into the current values; null removes a field"
    )


class TagRead(ReadModel):
    id: uuid.UUID
    name: str
    color: str
    created_at: datetime


class ConsentActor(ReadModel):
    id: uuid.UUID
    name: str


class ConsentRead(ReadModel):
    channel: Channel
    status: Literal["opted_in", "opted_out"]
    opted_in_at: datetime | None
    opt_in_source: str | None
    opt_in_proof: str | None
    opted_out_at: datetime | None
    opt_out_reason: str | None


ConsentSource = Literal["user", "inbound_keyword", "whatsapp_preferences"]


class ConsentEventRead(ReadModel):
    """One change of a contact's consent on a channel (the history; ``ConsentRead`` is the current state)."""

    id: int
    contact_id: uuid.UUID
    channel: Channel
    status: Literal["opted_in", "opted_out"]
    source: ConsentSource = Field(
        description="user: a signed-in user (dashboard or API); inbound_keyword: the contact's own message;"
        " whatsapp_preferences: the contact stopped or resumed marketing messages in WhatsApp"
    )
    opt_in_source: str | None = Field(description="opt-in: where it was given, as the user said")
    proof: str | None = Field(description="opt-in: its proof")
    reason: str | None = Field(description="opt-out: why (for a keyword: what the contact wrote)")
    actor: ConsentActor | None = Field(description="the user who made the change, if a user did")
    created_at: datetime


class ContactRead(ReadModel):
    id: uuid.UUID
    phone: str
    name: str | None
    email: str | None
    language: str | None
    notes: str | None
    custom_fields: dict[str, Any]
    is_valid: bool
    last_inbound_at: datetime | None
    tags: list[TagRead]
    consents: list[ConsentRead]
    created_at: datetime
    updated_at: datetime


class TagCreate(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=80)] = Field(examples=["vip"])
    color: Color = Field(default="#64748b", examples=["#16a34a"])


class TagUpdate(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = Field(default=None, examples=["vip"])
    color: Color | None = Field(default=None, examples=["#16a34a"])


class ConsentChange(StrictModel):
    status: Literal["opted_in", "opted_out"] = Field(examples=["opted_in"])
    source: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, examples=["signup form"], description="opt-in: where it was given"
    )
    proof: Annotated[str, StringConstraints(max_length=10_000)] | None = Field(
        default=None, examples=["checkbox ticked at https://acme.example.com/join"]
    )
    reason: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="opt-out: why", examples=["asked by phone"]
    )


class ContactFilter(StrictModel):
    """What a contact list or a bulk action selects."""

    q: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None,
        description="a whole email address (that email, any case), a phone fragment (digits with a phone's"
        " punctuation: the phones with those digits), or words: the contacts with a word of their name or email"
        " starting with each (any case, accents ignored)",
    )
    tag_ids: list[uuid.UUID] = Field(default_factory=list, description="contacts with any of these tags")
    created_from: datetime | None = None
    created_to: datetime | None = None
    custom_field: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="custom field key to filter on (with custom_value)"
    )
    custom_value: Annotated[str, StringConstraints(max_length=200)] | None = None
    list_id: uuid.UUID | None = None
    segment: SegmentFilter | None = None


class ListCreate(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(examples=["Newsletter"])
    description: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, examples=["People who asked for the monthly news"]
    )


class ListUpdate(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = Field(
        default=None, examples=["Newsletter"]
    )
    description: Annotated[str, StringConstraints(max_length=500)] | None = None


class ListRead(ReadModel):
    id: uuid.UUID
    name: str
    description: str | None
    member_count: int
    created_at: datetime


class SegmentCreate(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(examples=["Pro customers"])
    filter: SegmentFilter = Field(examples=[{"tags_none": []}])


class SegmentUpdate(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = Field(
        default=None, examples=["Pro customers"]
    )
    filter: SegmentFilter | None = None


class SegmentRead(ReadModel):
    id: uuid.UUID
    name: str
    filter: SegmentFilter
    count: int
    created_at: datetime
    updated_at: datetime


class SegmentPreview(StrictModel):
    filter: SegmentFilter = Field(examples=[{"tags_any": []}])


class CountRead(ReadModel):
    count: int


class BulkAction(StrictModel):
    """A bulk change to a selection: explicit ``contact_ids``, or every contact matching ``filter``."""

    action: Literal["tag", "untag", "add_to_list", "remove_from_list"] = Field(examples=["tag"])
    target_id: uuid.UUID = Field(description="the tag or list")
    contact_ids: list[uuid.UUID] | None = Field(default=None, max_length=10_000)
    filter: SegmentFilter | None = None


class BulkResult(ReadModel):
    matched: int
    changed: int


Keyword = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ContactSettingsRead(ReadModel):
    stop_keywords: list[str]
    opt_in_keywords: list[str]


class ContactSettingsUpdate(StrictModel):
    stop_keywords: list[Keyword] | None = Field(default=None, max_length=50, examples=[["STOP", "SAIR"]])
    opt_in_keywords: list[Keyword] | None = Field(default=None, max_length=50, examples=[["START", "VOLTAR"]])
