from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

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
