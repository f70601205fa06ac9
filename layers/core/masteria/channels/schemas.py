from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from masteria.schemas import ReadModel, StrictModel

GraphId = Annotated[str, StringConstraints(pattern=r"^\d{5,32}$")]
Secret = Annotated[str, StringConstraints(min_length=8, max_length=1024, strip_whitespace=True)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]


class ConnectionCreate(StrictModel):
    """A number on Meta's WhatsApp Cloud API: its ids, a system user access token, the app secret (to check
    webhook signatures) and the verify token Meta echoes when the webhook is registered (generated if omitted)."""

    name: Name = Field(examples=["Vendas"])
    phone_number_id: GraphId = Field(examples=["106540352242922"])
    waba_id: GraphId = Field(examples=["102290129340398"])
    access_token: Secret = Field(examples=["EAAG...system-user-token"])
    app_secret: Secret = Field(examples=["0123456789abcdef0123456789abcdef"])
    verify_token: Secret | None = Field(default=None, examples=["a-phrase-you-enter-in-meta"])


class ConnectionUpdate(StrictModel):
    name: Name | None = Field(default=None, examples=["Vendas SP"])
    access_token: Secret | None = Field(default=None, examples=["EAAG...new-token"])
    app_secret: Secret | None = Field(default=None, examples=["0123456789abcdef0123456789abcdef"])
    verify_token: Secret | None = Field(default=None, examples=["another-phrase"])


class ConnectionRead(ReadModel):
    id: uuid.UUID
    provider: str
    name: str
    status: str
    phone_number_id: str
    waba_id: str
    webhook_url: str
    display_phone_number: str | None
    verified_name: str | None
    quality_rating: str | None
    throughput_level: str | None
    messaging_limit: str | None
    token_expires_at: datetime | None
    last_checked_at: datetime | None
    last_error: str | None
    account_status: Literal["ok", "restricted", "disabled", "disconnected"] = Field(
        description="what Meta says of the WhatsApp Business Account (its account_update webhooks)"
    )
    account_detail: dict[str, Any] | None = Field(
        description="Meta's last account_update that explains account_status: event, restriction_info "
        "(restriction_type, expiration), violation_info, ban_info (waba_ban_state, waba_ban_date)"
    )
    account_updated_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ConnectionCreated(ConnectionRead):
    verify_token: str = Field(description="enter it in Meta's webhook settings with webhook_url; shown only now")
