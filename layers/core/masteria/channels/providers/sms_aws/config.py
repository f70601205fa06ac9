"""An SMS connection's sealed configuration: where messages come from (an origination number in E.164, or an
alphanumeric sender ID where the country allows one), the country it sends to, its rate, and its price; where AWS
sends its events (the configuration set, the SNS topics) and the opt-out list kept in step with ours."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SmsConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    origination: str  # "+5511999990000" (a phone number) or "MASTERIA" (a sender ID, 3-11 characters)
    country: str = Field(default="BR", min_length=2, max_length=2)  # ISO 3166-1 alpha-2, upper case
    messages_per_second: float = Field(default=1.0, gt=0, le=1000)  # the origination number's MPS
    cost_per_segment: Decimal = Field(default=Decimal("0"), ge=0)  # in ``currency``, shown before sending
    currency: str = Field(default="BRL", min_length=3, max_length=3)
    configuration_set: str | None = None  # AWS End User Messaging: where delivery events go
    # the SNS topic two-way messages arrive on (its ARN): an inbound notification from any other is refused
    inbound_topic_arn: str | None = None
    # the SNS topic of the configuration set's event destination, when not the two-way topic
    events_topic_arn: str | None = None
    # the service's opt-out list of the origination (AWS's "Default" unless told): kept in step with our consent
    opt_out_list: str | None = None
    # how AWS routes and prices the messages: TRANSACTIONAL (replies, notices) or PROMOTIONAL (marketing)
    message_type: Literal["TRANSACTIONAL", "PROMOTIONAL"] = "TRANSACTIONAL"

    def topics(self) -> frozenset[str]:
        """The SNS topics whose notifications are this connection's."""
        return frozenset(t for t in (self.inbound_topic_arn, self.events_topic_arn) if t)
