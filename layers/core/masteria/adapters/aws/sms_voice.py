"""The ``SmsGateway`` port on AWS End User Messaging SMS (``pinpoint-sms-voice-v2``).

One boto3 client, its own retries off: a send that timed out may have gone out, and only the provider decides what
to do about a refusal (a retry by botocore would send a message twice). AWS's errors become a ``Refusal`` by their
exception name and, for validation and conflicts, their ``Reason``; a transport failure before the request left, or
the service's 503 (it took nothing in), is transient; after it left (a read timeout, a 500, a 504) unknown.
``request_problems`` checks a request against the service model botocore ships (the SMS sandbox of the local runtime
validates what it is sent with it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    ParamValidationError,
)
from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.validate import ParamValidator

from masteria.channels.providers.sms_aws.gateway import Refusal, SmsRefused, TextMessage

SERVICE = "pinpoint-sms-voice-v2"
# the service's own refusal of a destination, by the validation exception's Reason
_RECIPIENT_REASONS = frozenset(
    {
        "DESTINATION_COUNTRY_BLOCKED",
        "COUNTRY_CODE_MISMATCH",
        "COUNTRY_NOT_ENABLED",
        "INTERNATIONAL_SENDING_NOT_SUPPORTED",
        "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY",
        "PRICE_OVER_THRESHOLD",
    }
)
_SENDER_REASONS = frozenset(
    {"SENDER_ID_NOT_REGISTERED", "SENDER_ID_NOT_SUPPORTED", "SENDER_ID_REQUIRES_REGISTRATION", "CHANNEL_NOT_ENABLED"}
)
_RECIPIENT_CONFLICTS = frozenset(
    {
        "DESTINATION_PHONE_NUMBER_NOT_VERIFIED",
        "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION",
        "DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE",
    }
)


def refusal_of(error: ClientError) -> SmsRefused:
    """What an error answered by the service means for the message."""
    details: Mapping[str, Any] = error.response.get("Error", {})
    name = str(details.get("Code", "") or "UnknownError")
    message = str(details.get("Message", ""))[:300]
    answer: Mapping[str, Any] = error.response  # a modeled exception's members are at its top level
    reason = str(answer.get("Reason", "") or details.get("Reason", ""))
    fields: list[Any] = list(answer.get("Fields") or [])
    code = f"{name}/{reason}" if reason else name
    status = int(answer.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if name in ("ThrottlingException", "TooManyRequestsException"):
        kind = Refusal.THROTTLED
    elif name in ("ServiceUnavailableException", "ServiceUnavailable") or status == 503:
        kind = Refusal.TRANSIENT  # the service took nothing in: safe to send again
    elif name == "InternalServerException" or status >= 500:
        # 500, 504, the service's internal error: the message may have been taken (SendTextMessage has no
        # idempotency token), so it is never sent again; its delivery event settles it
        kind = Refusal.UNKNOWN
    elif name == "ServiceQuotaExceededException":
        kind = Refusal.QUOTA
    elif name == "ConflictException":
        if reason == "DESTINATION_PHONE_NUMBER_OPTED_OUT":
            kind = Refusal.OPTED_OUT
        elif reason in _RECIPIENT_CONFLICTS:
            kind = Refusal.RECIPIENT
        else:  # the origination does not fit (type, capabilities, not active…): so does every other send
            kind = Refusal.SENDER
    elif name == "ValidationException":
        on_destination = any(str(f.get("Name", "")).startswith("DestinationPhoneNumber") for f in fields)
        if reason in _RECIPIENT_REASONS or on_destination:
            kind = Refusal.RECIPIENT
        elif reason in _SENDER_REASONS:
            kind = Refusal.SENDER
        else:
            kind = Refusal.CONTENT
    else:  # AccessDenied, ResourceNotFound (origination, configuration set), an expired token…
        kind = Refusal.SENDER
    return SmsRefused(kind, code, message)


class SmsVoiceGateway:
    def __init__(self, client: Any) -> None:
        self._client = client

    @classmethod
    def from_region(cls, region: str, *, endpoint_url: str | None = None) -> SmsVoiceGateway:
        """The service in ``region``, or, with ``endpoint_url``, the SMS sandbox (with credentials of its own:
        a developer's AWS credentials never go to it)."""
        config = Config(
            retries={"total_max_attempts": 1},
            connect_timeout=3,
            read_timeout=10,
            max_pool_connections=64,
        )
        keys: dict[str, str] = {}
        if endpoint_url is not None:
            keys = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}
        client = boto3.client(  # type: ignore[call-overload]  # no stubs of this service are installed
            SERVICE, region_name=region, endpoint_url=endpoint_url, config=config, **keys
        )
        return cls(client)

    def send_text(self, message: TextMessage) -> str:
        request: dict[str, Any] = {
            "DestinationPhoneNumber": message.destination,
            "OriginationIdentity": message.origination,
            "MessageBody": message.body,
            "MessageType": message.message_type,
        }
        if message.configuration_set:
            request["ConfigurationSetName"] = message.configuration_set
        if message.context:
            request["Context"] = dict(message.context)
        try:
            return str(self._client.send_text_message(**request)["MessageId"])
        except ClientError as error:
            raise refusal_of(error) from error
        except (EndpointConnectionError, ConnectTimeoutError) as error:  # never reached the service
            raise SmsRefused(Refusal.TRANSIENT, type(error).__name__) from error
        except HTTPClientError as error:  # read timeout, connection closed: it may have been taken
            raise SmsRefused(Refusal.UNKNOWN, type(error).__name__) from error
        except ParamValidationError as error:  # refused by the model before anything left
            raise SmsRefused(Refusal.CONTENT, "ParamValidationError", str(error)[:300]) from error
        except NoCredentialsError as error:
            raise SmsRefused(Refusal.SENDER, "NoCredentialsError") from error

    def opt_out(self, opt_out_list: str, number: str) -> None:
        self._call("put_opted_out_number", OptOutListName=opt_out_list, OptedOutNumber=number)

    def opt_in(self, opt_out_list: str, number: str) -> None:
        self._call("delete_opted_out_number", OptOutListName=opt_out_list, OptedOutNumber=number)

    def opted_out(self, opt_out_list: str) -> Iterator[str]:
        token: str | None = None
        while True:
            page = self._call(
                "describe_opted_out_numbers",
                OptOutListName=opt_out_list,
                MaxResults=100,
                **({"NextToken": token} if token else {}),
            )
            for item in page.get("OptedOutNumbers", []):
                yield str(item["OptedOutNumber"])
            token = page.get("NextToken")
            if not token:
                return

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        try:
            return dict(getattr(self._client, operation)(**request))
        except ClientError as error:
            raise refusal_of(error) from error
        except HTTPClientError as error:
            raise SmsRefused(Refusal.TRANSIENT, type(error).__name__) from error


@functools.cache
def _model() -> Any:
    return botocore.session.get_session().get_service_model(SERVICE)


def operation_names() -> dict[str, str]:
    """The service's operations by their wire name (``SendTextMessage``) → boto3's method name."""
    return {name: botocore.xform_name(name) for name in _model().operation_names}


def request_problems(operation: str, params: Mapping[str, Any]) -> list[str]:
    """What is wrong with ``params`` as the input of ``operation`` (its wire name), by the service model: botocore's
    own checks (required, unknown, types, minimums), then the maximums, patterns (matched whole) and enums it leaves
    to the service."""
    shape = _model().operation_model(operation).input_shape
    report = ParamValidator().validate(dict(params), shape)
    problems = [line for line in report.generate_report().splitlines() if line.strip()] if report.has_errors() else []
    problems += _constraints(params, shape, "")
    return problems


def _constraints(value: Any, shape: Shape, path: str) -> list[str]:
    meta, problems = shape.metadata, []
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        for name, member in shape.members.items():
            if name in value:
                problems += _constraints(value[name], member, f"{path}.{name}".lstrip("."))
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for n, item in enumerate(value):
            problems += _constraints(item, shape.member, f"{path}[{n}]")
    elif isinstance(shape, MapShape) and isinstance(value, Mapping):
        for key, item in value.items():
            problems += _constraints(key, shape.key, f"{path} key")
            problems += _constraints(item, shape.value, f"{path}.{key}")
    if isinstance(value, str | list | Mapping) and "max" in meta and len(value) > meta["max"]:
        problems.append(f"Invalid length for parameter {path}: {len(value)}, valid max length: {meta['max']}")
    if isinstance(value, str):
        if "pattern" in meta and not re.fullmatch(meta["pattern"], value):  # stricter than Smithy's search
            problems.append(f"Invalid value for parameter {path}: does not match {meta['pattern']}")
        enum = getattr(shape, "enum", None)  # a StringShape's
        if enum and value not in enum:
            problems.append(f"Invalid value for parameter {path}: must be one of {', '.join(enum)}")
    return problems
