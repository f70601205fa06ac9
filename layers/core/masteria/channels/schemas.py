from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag

from masteria.schemas import ReadModel, StrictModel

GraphId = Annotated[str, StringConstraints(pattern=r"^\d{5,32}$")]
Secret = Annotated[str, StringConstraints(min_length=8, max_length=1024, strip_whitespace=True)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]
AwsName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
TopicArn = Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")]
MessagesPerSecond = Annotated[float, Field(gt=0, le=1000)]
Cost = Annotated[Decimal, Field(ge=0, le=100, decimal_places=5)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class MetaConnectionCreate(StrictModel):
    """A number on Meta's WhatsApp Cloud API: its ids, a system user access token, the app secret (to check
    webhook signatures) and the verify token Meta echoes when the webhook is registered (generated if omitted)."""

    provider: Literal["meta_cloud"] = "meta_cloud"
    name: Name = Field(examples=["Vendas"])
    phone_number_id: GraphId = Field(examples=["106540352242922"])
    waba_id: GraphId = Field(examples=["102290129340398"])
    access_token: Secret = Field(examples=["EAAG...system-user-token"])
    app_secret: Secret = Field(examples=["0123456789abcdef0123456789abcdef"])
    verify_token: Secret | None = Field(default=None, examples=["a-phrase-you-enter-in-meta"])


class SmsConnectionCreate(StrictModel):
    """An SMS sender on AWS End User Messaging SMS: an origination number (E.164, or national digits read in
    ``country``) or an alphanumeric sender ID (3-11 letters, digits or spaces, at least one letter) where the
    country allows one; the country it sends to, the number's messages per second, and the price of a segment."""

    provider: Literal["sms_aws"]
    name: Name = Field(examples=["SMS Vendas"])
    origination: Annotated[str, StringConstraints(min_length=3, max_length=20, strip_whitespace=True)] = Field(
        examples=["+5511999990000", "MASTERIA"]
    )
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = Field(
        default="BR", description="ISO 3166-1 alpha-2, upper case", examples=["BR"]
    )
    messages_per_second: MessagesPerSecond = Field(default=1.0, examples=[20])
    cost_per_segment: Cost = Field(default=Decimal(0), examples=["0.045"])
    currency: Currency = Field(default="BRL", examples=["BRL"])
    configuration_set: AwsName | None = Field(
        default=None, description="where AWS sends this sender's delivery events", examples=["masteria-sms"]
    )
    inbound_topic_arn: TopicArn | None = Field(
        default=None,
        description="the SNS topic two-way messages to this number arrive on",
        examples=["arn:aws:sns:us-east-1:123456789012:masteria-sms-inbound"],
    )
    events_topic_arn: TopicArn | None = Field(
        default=None, description="the SNS topic of the delivery events, when not the two-way one"
    )
    opt_out_list: AwsName | None = Field(default=None, description="AWS's opt-out list of the origination")
    message_type: Literal["TRANSACTIONAL", "PROMOTIONAL"] = "TRANSACTIONAL"


def _provider(value: object) -> str:
    # tags read "provider=<name>": functions/api/errors.py leaves such a part out of an error's field name
    provider = value.get("provider", "meta_cloud") if isinstance(value, dict) else getattr(value, "provider", None)
    return f"provider={provider}"


ConnectionCreate = Annotated[
    Annotated[MetaConnectionCreate, Tag("provider=meta_cloud")]
    | Annotated[SmsConnectionCreate, Tag("provider=sms_aws")],
    Discriminator(
        _provider,
        custom_error_type="literal_error",
        custom_error_context={"expected": "'meta_cloud' or 'sms_aws'"},
    ),
]


class ConnectionUpdate(StrictModel):
    """A new name; a Meta connection's new secrets; an SMS connection's new rate, price or topics. A field of
    another provider's connection is a 422."""

    name: Name | None = Field(default=None, examples=["Vendas SP"])
    access_token: Secret | None = Field(default=None, examples=["EAAG...new-token"])
    app_secret: Secret | None = Field(default=None, examples=["0123456789abcdef0123456789abcdef"])
    verify_token: Secret | None = Field(default=None, examples=["another-phrase"])
    messages_per_second: MessagesPerSecond | None = Field(default=None, examples=[50])
    cost_per_segment: Cost | None = Field(default=None, examples=["0.05"])
    currency: Currency | None = Field(default=None, examples=["USD"])
    configuration_set: AwsName | None = None
    inbound_topic_arn: TopicArn | None = None
    events_topic_arn: TopicArn | None = None
    opt_out_list: AwsName | None = None
    message_type: Literal["TRANSACTIONAL", "PROMOTIONAL"] | None = None


class SmsSettings(ReadModel):
    """What an SMS connection sends with (no secret): shown as it was configured."""

    origination: str
    origination_kind: Literal["number", "sender_id"]
    country: str
    messages_per_second: float
    cost_per_segment: Decimal
    currency: str
    configuration_set: str | None
    inbound_topic_arn: str | None
    events_topic_arn: str | None
    opt_out_list: str | None
    message_type: Literal["TRANSACTIONAL", "PROMOTIONAL"]


class ConnectionRead(ReadModel):
    id: uuid.UUID
    provider: Literal["meta_cloud", "sms_aws"]
    channel: Literal["whatsapp", "sms"]
    name: str
    status: str
    phone_number_id: str | None = Field(description="WhatsApp: Meta's id of the number")
    waba_id: str | None = Field(description="WhatsApp: the WhatsApp Business Account")
    sms: SmsSettings | None = Field(description="SMS: the sender's settings")
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
    verify_token: str | None = Field(
        description="WhatsApp: enter it in Meta's webhook settings with webhook_url; shown only now"
    )
