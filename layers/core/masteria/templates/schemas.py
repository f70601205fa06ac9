from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, HttpUrl, StringConstraints

from masteria.schemas import ReadModel, StrictModel
from masteria.templates.rendering import TEXT_MESSAGE_MAX

Body = Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MESSAGE_MAX, strip_whitespace=False)]


class MediaHeader(StrictModel):
    type: Literal["image", "video", "document"] = Field(examples=["image"])
    url: HttpUrl = Field(examples=["https://cdn.example.com/promo.jpg"])


class TemplateCreate(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(examples=["Welcome"])
    body: Body = Field(examples=["Oi {{first_name}}, bem-vindo!"])
    defaults: dict[str, Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=dict, examples=[{"first_name": "cliente"}], description="variable → value when it is empty"
    )
    header: MediaHeader | None = None


class TemplateUpdate(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = Field(
        default=None, examples=["Welcome"]
    )
    body: Body | None = Field(default=None, examples=["Oi {{first_name}}!"])
    defaults: dict[str, Annotated[str, StringConstraints(max_length=200)]] | None = None
    header: MediaHeader | None = None


class TemplateRead(ReadModel):
    id: uuid.UUID
    name: str
    body: str
    defaults: dict[str, str]
    variables: list[str]
    header: MediaHeader | None
    created_at: datetime
    updated_at: datetime


class PreviewRequest(StrictModel):
    contact_id: uuid.UUID = Field(examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"])


class PreviewRead(ReadModel):
    text: str
    header: MediaHeader | None


# ---- WhatsApp templates -----------------------------------------------------------------------------

ParameterKey = Annotated[str, StringConstraints(min_length=1, max_length=80)]


class WhatsAppParameters(StrictModel):
    parameters: dict[ParameterKey, Annotated[str, StringConstraints(max_length=80)]] = Field(
        default_factory=dict,
        description="parameter key (body.1, header.1, button.0.1, body.<name>) → contact variable",
        examples=[{"body.1": "first_name", "body.2": "custom.coupon"}],
    )
    defaults: dict[ParameterKey, Annotated[str, StringConstraints(max_length=2000)]] = Field(
        default_factory=dict,
        description="parameter key → value when the variable is empty (header.media: the media link)",
        examples=[{"body.1": "cliente", "body.2": "FALL25"}],
    )


class WhatsAppTemplateCreate(WhatsAppParameters):
    """Meta's template creation body (name, language, category, components), plus the parameter mapping."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=512)] = Field(examples=["seasonal_promotion"])
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")] = Field(examples=["pt_BR"])
    category: Literal["MARKETING", "UTILITY", "AUTHENTICATION"] = Field(examples=["MARKETING"])
    parameter_format: Literal["POSITIONAL", "NAMED"] | None = None
    components: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=10,
        examples=[[{"type": "BODY", "text": "Oi {{1}}!", "example": {"body_text": [["Ana"]]}}]],
    )


class WhatsAppTemplateRead(ReadModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    meta_id: str
    name: str
    language: str
    category: str
    status: str
    quality: str | None
    rejected_reason: str | None
    status_reason: str | None = Field(
        description="why Meta gave the status (a pause, a disabling or a rejection explained), from its webhook"
    )
    status_changed_at: datetime | None
    previous_category: str | None = Field(description="the category before Meta changed it")
    parameter_format: str
    components: list[dict[str, Any]]
    parameter_keys: list[str] = Field(default_factory=list)
    parameters: dict[str, str]
    defaults: dict[str, str]
    synced_at: datetime
    updated_at: datetime


class WhatsAppSync(ReadModel):
    added: int
    updated: int
    removed: int
    total: int


class WhatsAppPreview(ReadModel):
    header: str | None = None
    header_media: dict[str, str] | None = None
    body: str
    footer: str | None = None
    buttons: list[dict[str, str]] = Field(default_factory=list)
    send_components: list[dict[str, Any]] = Field(description="the template.components of the message that sends it")
