"""The SMS gateway on AWS End User Messaging SMS: moto has no pinpoint-sms-voice-v2 (its SendTextMessage answers
"Not yet implemented"), so botocore's Stubber answers at the edge, the requests checked against AWS's service model;
a transport failure is raised where botocore's HTTP layer would raise it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber

from masteria.adapters.aws.sms_voice import SmsVoiceGateway, request_problems
from masteria.channels.providers.sms_aws.gateway import Refusal, SmsRefused, TextMessage

MESSAGE = TextMessage(
    destination="+5531991230001",
    origination="+5511400000000",
    body="Oi!",
    message_type="PROMOTIONAL",
    configuration_set="masteria-sms",
    context={"reference": "r-1"},
)


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture
def gateway() -> Iterator[tuple[SmsVoiceGateway, Stubber]]:
    adapter = SmsVoiceGateway.from_region("us-east-1")
    stubber = Stubber(adapter._client)
    with stubber:
        yield adapter, stubber
    stubber.assert_no_pending_responses()


def test_a_text_goes_out_with_our_reference_and_configuration_set(gateway: tuple[SmsVoiceGateway, Stubber]) -> None:
    adapter, stubber = gateway
    stubber.add_response(
        "send_text_message",
        {"MessageId": "m-1"},
        expected_params={
            "DestinationPhoneNumber": "+5531991230001",
            "OriginationIdentity": "+5511400000000",
            "MessageBody": "Oi!",
            "MessageType": "PROMOTIONAL",
            "ConfigurationSetName": "masteria-sms",
            "Context": {"reference": "r-1"},
        },
    )
    assert adapter.send_text(MESSAGE) == "m-1"


def test_botocore_does_not_retry_a_send_itself() -> None:
    # a retried send that had gone out is a message sent twice: the provider decides, never the client
    adapter = SmsVoiceGateway.from_region("us-east-1")
    assert adapter._client.meta.config.retries["total_max_attempts"] == 1


@pytest.mark.parametrize(
    ("error", "reason", "fields", "refusal"),
    [
        ("ThrottlingException", None, None, Refusal.THROTTLED),
        ("InternalServerException", None, None, Refusal.UNKNOWN),  # it may have been taken: never resent
        ("ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT", None, Refusal.QUOTA),
        ("ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT", None, Refusal.OPTED_OUT),
        ("ConflictException", "MESSAGE_TYPE_MISMATCH", None, Refusal.SENDER),
        ("ValidationException", "DESTINATION_COUNTRY_BLOCKED", None, Refusal.RECIPIENT),
        ("ValidationException", "INVALID_PARAMETER", [{"Name": "DestinationPhoneNumber", "Message": "x"}],
         Refusal.RECIPIENT),
        ("ValidationException", "SENDER_ID_NOT_REGISTERED", None, Refusal.SENDER),
        ("ValidationException", "MAXIMUM_SIZE_EXCEEDED", None, Refusal.CONTENT),
        ("AccessDeniedException", None, None, Refusal.SENDER),
        ("ResourceNotFoundException", None, None, Refusal.SENDER),
    ],
)  # fmt: skip
def test_aws_errors_become_refusals(
    gateway: tuple[SmsVoiceGateway, Stubber],
    error: str,
    reason: str | None,
    fields: list[dict[str, str]] | None,
    refusal: Refusal,
) -> None:
    adapter, stubber = gateway
    modeled: dict[str, Any] = {"Message": "said by AWS"}
    if reason:
        modeled["Reason"] = reason
    if fields:
        modeled["Fields"] = fields
    if error == "ResourceNotFoundException":
        modeled |= {"ResourceType": "phone-number", "ResourceId": "+5511400000000"}
    if error == "ConflictException":
        modeled |= {"ResourceType": "phone-number", "ResourceId": "+5531991230001"}
    status = 500 if error == "InternalServerException" else 400
    stubber.add_client_error(
        "send_text_message", service_error_code=error, service_message="said by AWS", http_status_code=status,
        modeled_fields=modeled,
    )  # fmt: skip
    with pytest.raises(SmsRefused) as refused:
        adapter.send_text(MESSAGE)
    assert refused.value.refusal is refusal
    assert refused.value.code == (f"{error}/{reason}" if reason else error)
    assert refused.value.message == "said by AWS"


@pytest.mark.parametrize(
    ("status", "refusal"), [(500, Refusal.UNKNOWN), (504, Refusal.UNKNOWN), (503, Refusal.TRANSIENT)]
)
def test_a_server_error_is_unknown_but_a_503(
    gateway: tuple[SmsVoiceGateway, Stubber], status: int, refusal: Refusal
) -> None:
    adapter, stubber = gateway
    stubber.add_client_error("send_text_message", service_error_code="", http_status_code=status)
    with pytest.raises(SmsRefused) as refused:
        adapter.send_text(MESSAGE)
    assert refused.value.refusal is refusal


def _raise(error: Exception) -> Any:
    def handler(**_: Any) -> None:
        raise error

    return handler


def test_a_timeout_after_the_request_left_is_unknown() -> None:
    adapter = SmsVoiceGateway.from_region("us-east-1")
    adapter._client.meta.events.register(
        "before-send.pinpoint-sms-voice-v2.SendTextMessage", _raise(ReadTimeoutError(endpoint_url="https://x"))
    )
    with pytest.raises(SmsRefused) as refused:
        adapter.send_text(MESSAGE)
    assert refused.value.refusal is Refusal.UNKNOWN


def test_a_connection_never_made_is_transient() -> None:
    adapter = SmsVoiceGateway.from_region("us-east-1")
    adapter._client.meta.events.register(
        "before-send.pinpoint-sms-voice-v2.SendTextMessage", _raise(EndpointConnectionError(endpoint_url="https://x"))
    )
    with pytest.raises(SmsRefused) as refused:
        adapter.send_text(MESSAGE)
    assert refused.value.refusal is Refusal.TRANSIENT


def test_the_opt_out_list_is_kept_in_step(gateway: tuple[SmsVoiceGateway, Stubber]) -> None:
    adapter, stubber = gateway
    number = {"OptOutListName": "Default", "OptedOutNumber": "+5531991230001"}
    answer = {**number, "OptOutListArn": "arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/Default"}
    stubber.add_response("put_opted_out_number", answer, expected_params=number)
    stubber.add_response("delete_opted_out_number", answer, expected_params=number)
    page = {"OptedOutNumber": "+5531991230001", "OptedOutTimestamp": 1700000000, "EndUserOptedOut": True}
    stubber.add_response(
        "describe_opted_out_numbers",
        {"OptedOutNumbers": [page], "NextToken": "t2"},
        expected_params={"OptOutListName": "Default", "MaxResults": 100},
    )
    stubber.add_response(
        "describe_opted_out_numbers",
        {"OptedOutNumbers": [{**page, "OptedOutNumber": "+5531991230002"}]},
        expected_params={"OptOutListName": "Default", "MaxResults": 100, "NextToken": "t2"},
    )
    adapter.opt_out("Default", "+5531991230001")
    adapter.opt_in("Default", "+5531991230001")
    assert list(adapter.opted_out("Default")) == ["+5531991230001", "+5531991230002"]


def test_an_unknown_opt_out_list_is_refused(gateway: tuple[SmsVoiceGateway, Stubber]) -> None:
    adapter, stubber = gateway
    stubber.add_client_error(
        "put_opted_out_number", service_error_code="ResourceNotFoundException", http_status_code=404,
        modeled_fields={"Message": "no list", "ResourceType": "opt-out-list", "ResourceId": "Nope"},
    )  # fmt: skip
    with pytest.raises(SmsRefused) as refused:
        adapter.opt_out("Nope", "+5531991230001")
    assert refused.value.refusal is Refusal.SENDER


def test_requests_are_checked_against_the_service_model() -> None:
    good = {"DestinationPhoneNumber": "+5531991230001", "OriginationIdentity": "+5511400000000", "MessageBody": "Oi"}
    assert request_problems("SendTextMessage", good) == []
    problems = request_problems(
        "SendTextMessage",
        {
            "DestinationPhoneNumber": "5531-99",
            "MessageBody": "x" * 1601,
            "MessageType": "MARKETING",
            "Context": {f"k{n}": "v" for n in range(6)},
            "Extra": 1,
        },
    )
    text = "\n".join(problems)
    assert 'Unknown parameter in input: "Extra"' in text
    assert "MessageBody: 1601, valid max length: 1600" in text
    assert "MessageType: must be one of TRANSACTIONAL, PROMOTIONAL" in text
    assert "Context: 6, valid max length: 5" in text
    assert "DestinationPhoneNumber: does not match" in text
    assert "Missing required parameter" not in text  # DestinationPhoneNumber is the only required one, and given
