"""The SMS provider's port to AWS End User Messaging SMS: send one text, keep the opt-out list in step.

``adapters/aws/sms_voice.py`` implements it with boto3 (``pinpoint-sms-voice-v2``); the local runtime points the
same adapter at the SMS sandbox, which answers as the service does. A refusal is a ``SmsRefused`` carrying what it
means for us (``Refusal``); what AWS called it (its exception name and reason) stays in ``code`` for the user.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

MessageType = Literal["TRANSACTIONAL", "PROMOTIONAL"]


class Refusal(StrEnum):
    THROTTLED = "throttled"  # the account's or the number's rate: slow down, try again soon
    TRANSIENT = "transient"  # the service failed before taking the message: try again with backoff
    OPTED_OUT = "opted_out"  # the destination is on the opt-out list: never to this recipient
    RECIPIENT = "recipient"  # this destination cannot get it (invalid number, country blocked): failed
    CONTENT = "content"  # our request is wrong (a field the service refuses): failed, fix the message
    SENDER = "sender"  # the origination, its registration or our access: every send fails, the campaign pauses
    QUOTA = "quota"  # the monthly spend limit or a daily quota: the campaign pauses
    UNKNOWN = "unknown"  # the request may have reached the service (a timeout, a dropped connection)


class SmsRefused(Exception):
    """The service did not take the message, or we cannot know that it did (``Refusal.UNKNOWN``)."""

    def __init__(self, refusal: Refusal, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.refusal = refusal
        self.code = code  # "ThrottlingException", "ValidationException/INVALID_PARAMETER"…
        self.message = message


@dataclass(frozen=True)
class TextMessage:
    destination: str  # E.164 with "+"
    origination: str  # a phone number in E.164, a sender ID, or a pool's id or ARN
    body: str
    message_type: MessageType = "TRANSACTIONAL"
    configuration_set: str | None = None  # where the service sends its delivery events
    context: Mapping[str, str] = field(default_factory=dict)  # echoed on every delivery event (at most 5 keys)


class SmsGateway(Protocol):
    def send_text(self, message: TextMessage) -> str:
        """The service's message id; raises ``SmsRefused``."""
        ...

    def opt_out(self, opt_out_list: str, number: str) -> None:
        """Put the number (E.164) on the opt-out list (the customer stopped messages on another path)."""
        ...

    def opt_in(self, opt_out_list: str, number: str) -> None:
        """Take the number off the opt-out list (the customer asked for messages again)."""
        ...

    def opted_out(self, opt_out_list: str) -> Iterator[str]:
        """Every number on the opt-out list, page after page (what the service holds, to reconcile ours)."""
        ...
