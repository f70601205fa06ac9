"""The SMS provider on AWS End User Messaging SMS: limits, content checks, sends (the service answered by botocore's
Stubber against its model), SNS signature checks (a certificate made here, served at SNS's URL by an httpx
MockTransport) and the parsing of two-way messages and delivery events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from masteria.adapters.aws.sms_voice import SmsVoiceGateway
from masteria.channels.providers import retries
from masteria.channels.providers.port import InboundMessage, OutboundMessage, Outcome, StatusUpdate, Unverified
from masteria.channels.providers.sms_aws.config import SmsConfig
from masteria.channels.providers.sms_aws.provider import TEXT_MAX, SmsAwsProvider
from masteria.channels.providers.sms_aws.sns import SnsVerifier
from tests.sns_signing import CERT_URL, REGION, TOPIC, Signer

CONFIG = SmsConfig(
    origination="+5511400000000", messages_per_second=20, configuration_set="masteria-sms", inbound_topic_arn=TOPIC
)
INBOUND = {
    "originationNumber": "+5531991230001",
    "destinationNumber": "+5511400000000",
    "messageKeyword": "KEYWORD_123456789012",
    "messageBody": "Quero saber do pedido",
    "inboundMessageId": "cae173d2-66b9-564c-8309-21f858e9fb84",
    "previousPublishedMessageId": "wJ0A0",
}


def _event(event_type: str, status: str, **extra: object) -> dict[str, object]:
    return {
        "eventType": event_type, "eventVersion": "1.0", "eventTimestamp": 1764608400000, "isFinal": True,
        "originationPhoneNumber": "+5511400000000", "destinationPhoneNumber": "+5531991230001",
        "messageId": "862a8790-60c0-4430-9b2b-658bdexample", "messageEncoding": "GSM",
        "messageType": "TRANSACTIONAL", "messageStatus": status, "messageStatusDescription": f"{status} it is",
        "context": {"reference": "r-7"}, "totalMessageParts": 2, "totalMessagePrice": 0.0958, **extra,
    }  # fmt: skip


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def provider(signer: Signer) -> Iterator[SmsAwsProvider]:
    built = SmsAwsProvider(SmsVoiceGateway.from_region(REGION), SnsVerifier(signer.transport()))
    yield built
    built.verifier.close()


@pytest.fixture
def stubber(provider: SmsAwsProvider) -> Iterator[Stubber]:
    stub = Stubber(provider.gateway._client)  # type: ignore[attr-defined]
    with stub:
        yield stub
    stub.assert_no_pending_responses()


def text(body: str, **extra: str) -> OutboundMessage:
    return OutboundMessage(to="5531991230001", kind="text", text=body, **extra)


# -- limits and checks ------------------------------------------------------------------------------------------


def test_limits_are_the_numbers_mps_text_only_and_no_window(provider: SmsAwsProvider) -> None:
    limits = provider.limits(CONFIG)
    assert limits.messages_per_second == 20
    assert limits.kinds == frozenset({"text"})
    assert limits.window is None and limits.pair_interval is None and limits.pair_burst is None
    assert limits.text_max == TEXT_MAX == 1600
    # the origination's MPS counts message parts: a message takes as many of the pacer's slots as segments
    assert limits.units(text("Oi")) == 1
    assert limits.units(text("a" * 161)) == 2 and limits.units(text("😀" * 71)) == 3


def test_what_sms_cannot_carry_is_refused_with_a_field_error(provider: SmsAwsProvider) -> None:
    media = OutboundMessage(to="5531991230001", kind="media", media={"type": "image", "link": "https://x/y.jpg"})
    template = OutboundMessage(to="5531991230001", kind="template", template={"name": "promo", "language": "pt_BR"})
    [refused_media] = provider.check(media, CONFIG)
    [refused_template] = provider.check(template, CONFIG)
    assert (refused_media.field, refused_media.code) == ("media", "channel_kind_unsupported")
    assert refused_media.params == {"kind": "media", "channel": "sms"}
    assert refused_template.code == "channel_kind_unsupported"
    [empty] = provider.check(text("   "), CONFIG)
    assert (empty.field, empty.code) == ("text", "required")
    [long] = provider.check(text("a" * 1601), CONFIG)
    assert (long.field, long.code, long.params) == ("text", "text_too_long", {"max": 1600})
    assert provider.check(text("a" * 1600), CONFIG) == []


# -- sending ----------------------------------------------------------------------------------------------------


def test_a_send_carries_our_reference_and_counts_its_segments(provider: SmsAwsProvider, stubber: Stubber) -> None:
    body = "Olá! " + "a" * 200  # "á" is not in GSM-7: UCS-2, 205 units, 4 parts of 67
    stubber.add_response(
        "send_text_message",
        {"MessageId": "m-1"},
        expected_params={
            "DestinationPhoneNumber": "+5531991230001",
            "OriginationIdentity": "+5511400000000",
            "MessageBody": body,
            "MessageType": "TRANSACTIONAL",
            "ConfigurationSetName": "masteria-sms",
            "Context": {"reference": "r-1"},
        },
    )
    outcome = provider.send(text(body, opaque="r-1"), CONFIG)
    assert (outcome.category, outcome.message_id, outcome.segments) == (Outcome.SENT, "m-1", 4)


def test_a_gsm_text_of_161_characters_is_two_segments(provider: SmsAwsProvider, stubber: Stubber) -> None:
    stubber.add_response("send_text_message", {"MessageId": "m-2"})
    assert provider.send(text("b" * 161), CONFIG).segments == 2


def _refuse(stubber: Stubber, error: str, reason: str | None = None, status: int = 400) -> None:
    fields: dict[str, object] = {"Message": "said by AWS"}
    if reason:
        fields["Reason"] = reason
    if error == "ConflictException":
        fields |= {"ResourceType": "phone-number", "ResourceId": "+5531991230001"}
    stubber.add_client_error(
        "send_text_message", service_error_code=error, http_status_code=status, modeled_fields=fields
    )


def test_throttling_slows_the_number_without_using_an_attempt(provider: SmsAwsProvider, stubber: Stubber) -> None:
    _refuse(stubber, "ThrottlingException")
    outcome = provider.send(text("Oi"), CONFIG)
    assert outcome.category is Outcome.RETRY_AFTER
    assert outcome.slow_down and not outcome.counts_as_attempt
    assert outcome.retry_in == retries.RATE_LIMIT_BACKOFF


def test_an_unavailable_service_is_retried_until_the_attempts_are_used(
    provider: SmsAwsProvider, stubber: Stubber
) -> None:
    stubber.add_client_error("send_text_message", service_error_code="", http_status_code=503)  # took nothing in
    stubber.add_client_error("send_text_message", service_error_code="", http_status_code=503)
    assert provider.send(text("Oi"), CONFIG, attempt=1).category is Outcome.RETRY_AFTER
    last = provider.send(text("Oi"), CONFIG, attempt=retries.MAX_TRANSIENT_ATTEMPTS)
    assert last.category is Outcome.RECIPIENT_FINAL


def test_an_internal_error_of_the_service_is_unknown_never_resent(provider: SmsAwsProvider, stubber: Stubber) -> None:
    _refuse(stubber, "InternalServerException", status=500)  # SendTextMessage has no idempotency token
    assert provider.send(text("Oi"), CONFIG, attempt=1).category is Outcome.UNKNOWN


def test_an_opted_out_destination_is_final(provider: SmsAwsProvider, stubber: Stubber) -> None:
    _refuse(stubber, "ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT")
    outcome = provider.send(text("Oi"), CONFIG)
    assert outcome.category is Outcome.RECIPIENT_FINAL
    assert outcome.reason is not None and "DESTINATION_PHONE_NUMBER_OPTED_OUT" in outcome.reason


def test_a_refused_sender_or_a_spent_quota_stops_the_campaign(provider: SmsAwsProvider, stubber: Stubber) -> None:
    _refuse(stubber, "ValidationException", "SENDER_ID_NOT_REGISTERED")
    _refuse(stubber, "ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT")
    _refuse(stubber, "AccessDeniedException")
    for _ in range(3):
        outcome = provider.send(text("Oi"), CONFIG)
        assert outcome.category is Outcome.CAMPAIGN_STOPPING
        assert outcome.campaign_reason is not None and outcome.campaign_reason.startswith("SMS error ")
        assert not outcome.counts_as_attempt


def test_a_timeout_after_sending_is_unknown_never_resent(provider: SmsAwsProvider) -> None:
    def timeout(**_: object) -> None:
        raise ReadTimeoutError(endpoint_url="https://sms-voice.us-east-1.amazonaws.com")

    provider.gateway._client.meta.events.register("before-send.*.SendTextMessage", timeout)  # type: ignore[attr-defined]
    assert provider.send(text("Oi"), CONFIG).category is Outcome.UNKNOWN


def test_content_refused_late_is_final_and_never_sent(provider: SmsAwsProvider, stubber: Stubber) -> None:
    outcome = provider.send(text("x" * 1601), CONFIG)  # no response stubbed: nothing may go out
    assert outcome.category is Outcome.RECIPIENT_FINAL


# -- verification -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1", "2"])
def test_an_sns_signature_of_either_version_is_verified(provider: SmsAwsProvider, signer: Signer, version: str) -> None:
    raw = signer.notification(INBOUND, version=version, subject="maybe")
    provider.verify(raw, {"x-amz-sns-message-type": "Notification", "x-amz-sns-topic-arn": TOPIC}, CONFIG)
    provider.verify(raw, {}, CONFIG)
    assert signer.fetched == [CERT_URL]  # fetched once, then kept


def test_a_changed_body_fails_its_signature(provider: SmsAwsProvider, signer: Signer) -> None:
    raw = signer.notification(INBOUND).replace(b"Quero", b"Qvero")
    with pytest.raises(Unverified, match="does not match"):
        provider.verify(raw, {}, CONFIG)


def test_another_key_fails(provider: SmsAwsProvider, signer: Signer) -> None:
    raw = Signer().notification(INBOUND)  # signed by someone else, pointing at SNS's certificate
    with pytest.raises(Unverified):
        provider.verify(raw, {}, CONFIG)


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.eu-west-1.amazonaws.com/cert.pem",  # not the topic's region
        "https://user@sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
        "https://169.254.169.254/latest/meta-data.pem",
        "https://sns.us-east-1.amazonaws.com/cert.txt",
    ],
)
def test_a_certificate_anywhere_but_sns_is_never_fetched(provider: SmsAwsProvider, signer: Signer, url: str) -> None:
    with pytest.raises(Unverified, match="not SNS's"):
        provider.verify(signer.notification(INBOUND, cert_url=url), {}, CONFIG)
    assert signer.fetched == []


def test_another_topic_is_refused_before_any_fetch(provider: SmsAwsProvider, signer: Signer) -> None:
    other = "arn:aws:sns:us-east-1:123456789012:someone-else"
    with pytest.raises(Unverified, match="another topic"):
        provider.verify(signer.notification(INBOUND, topic=other), {}, CONFIG)
    with pytest.raises(Unverified, match="another topic"):
        provider.verify(signer.notification(INBOUND), {"X-Amz-Sns-Topic-Arn": other}, CONFIG)
    unconfigured = CONFIG.model_copy(update={"inbound_topic_arn": None})
    with pytest.raises(Unverified, match="no SNS topic"):
        provider.verify(signer.notification(INBOUND), {}, unconfigured)
    assert signer.fetched == []


def test_the_events_topic_is_the_connections_too(provider: SmsAwsProvider, signer: Signer) -> None:
    events = "arn:aws:sns:us-east-1:123456789012:masteria-sms-events"
    config = CONFIG.model_copy(update={"events_topic_arn": events})
    provider.verify(signer.notification(_event("TEXT_DELIVERED", "DELIVERED"), topic=events), {}, config)


def test_bad_bodies_are_unverified_not_errors(provider: SmsAwsProvider, signer: Signer) -> None:
    for raw in (b"", b"\xff\xfe", b"[]", b'{"Type": "Other"}', json.dumps({"Type": "Notification"}).encode()):
        with pytest.raises(Unverified):
            provider.verify(raw, {}, CONFIG)
    unknown_version = json.loads(signer.notification(INBOUND))
    unknown_version["SignatureVersion"] = "3"
    with pytest.raises(Unverified, match="version"):
        provider.verify(json.dumps(unknown_version).encode(), {}, CONFIG)
    bad_base64 = {**json.loads(signer.notification(INBOUND)), "Signature": "***"}
    with pytest.raises(Unverified, match="base64"):
        provider.verify(json.dumps(bad_base64).encode(), {}, CONFIG)


def test_an_expired_certificate_is_refused(signer: Signer) -> None:
    expired = Signer(days=-1)
    provider = SmsAwsProvider(SmsVoiceGateway.from_region(REGION), SnsVerifier(expired.transport()))
    with pytest.raises(Unverified, match="not valid now"):
        provider.verify(expired.notification(INBOUND), {}, CONFIG)


def test_a_subscription_is_confirmed_at_sns_only(provider: SmsAwsProvider, signer: Signer) -> None:
    raw = signer.notification("You have chosen to subscribe", kind="SubscriptionConfirmation")
    message = provider.verified(raw, {}, CONFIG.topics())
    assert provider.verifier.confirm(message)
    assert signer.fetched[-1].startswith(f"https://sns.{REGION}.amazonaws.com/?Action=ConfirmSubscription")
    assert provider.parse(raw) == []  # nothing for the inbound processor
    elsewhere = type(message)(**{**message.__dict__, "subscribe_url": "https://evil.example/?Action=Confirm"})
    with pytest.raises(Unverified, match="not SNS's"):
        provider.verifier.confirm(elsewhere)


# -- parsing ----------------------------------------------------------------------------------------------------


def test_a_two_way_message_is_an_inbound_text(provider: SmsAwsProvider, signer: Signer) -> None:
    [message] = provider.parse(signer.notification(INBOUND))
    assert isinstance(message, InboundMessage)
    assert (message.kind, message.text, message.sender) == ("text", "Quero saber do pedido", "5531991230001")
    assert message.message_id == "cae173d2-66b9-564c-8309-21f858e9fb84"
    assert message.number_id == "5511400000000" == provider.number_of(CONFIG)
    assert message.sent_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event_type", "status", "ours"),
    [
        ("TEXT_SUCCESSFUL", "SUCCESSFUL", "sent"),
        ("TEXT_DELIVERED", "DELIVERED", "delivered"),
        ("TEXT_BLOCKED", "BLOCKED", "failed"),
        ("TEXT_TTL_EXPIRED", "TTL_EXPIRED", "failed"),
        ("TEXT_CARRIER_UNREACHABLE", "CARRIER_UNREACHABLE", "failed"),
        ("TEXT_FAILED", "FAILED", "failed"),
    ],
)
def test_delivery_events_are_statuses(
    provider: SmsAwsProvider, signer: Signer, event_type: str, status: str, ours: str
) -> None:
    [update] = provider.parse(signer.notification(_event(event_type, status)))
    assert isinstance(update, StatusUpdate)
    assert (update.status, update.message_id, update.opaque) == (ours, "862a8790-60c0-4430-9b2b-658bdexample", "r-7")
    assert (update.recipient, update.number_id, update.segments) == ("5531991230001", "5511400000000", 2)
    assert update.at == datetime.fromtimestamp(1764608400, tz=UTC)
    if ours == "failed":
        assert update.error_title == f"{status}: {status} it is"
    else:
        assert update.error_title is None


def test_intermediate_events_say_nothing(provider: SmsAwsProvider, signer: Signer) -> None:
    assert provider.parse(signer.notification(_event("TEXT_QUEUED", "QUEUED"))) == []
    assert provider.parse(signer.notification(_event("TEXT_PENDING", "PENDING"))) == []


def test_what_is_not_sns_is_a_value_error(provider: SmsAwsProvider, signer: Signer) -> None:
    for raw in (b"{}", b"nope", signer.notification("not json"), signer.notification("[1]")):
        with pytest.raises(ValueError):
            provider.parse(raw)
    with pytest.raises(ValueError):
        provider.parse(signer.notification({**INBOUND, "originationNumber": None}))
