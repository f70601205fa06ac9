"""The Meta Cloud API provider on the port: a channel-neutral message becomes Meta's request (MockTransport:
no network), Meta's answers become outcome categories, the webhook signature is checked over the raw bytes,
and Meta's own webhook examples parse into typed events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from masteria.channels.providers.meta_cloud.config import MetaCloudConfig
from masteria.channels.providers.meta_cloud.errors import GraphTransientError
from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.channels.providers.meta_cloud.provider import MetaCloudProvider
from masteria.channels.providers.port import (
    AccountEvent,
    Call,
    Fetched,
    InboundMessage,
    MediaUnavailable,
    OutboundMessage,
    Outcome,
    Provider,
    StatusUpdate,
    Unverified,
)
from tests.meta_webhooks import FIXTURES, WEBHOOK_BODIES, sign

CONFIG = MetaCloudConfig(
    phone_number_id="106540352242922", waba_id="102290129340398", access_token="tok-1", app_secret="s3cret",
    verify_token="v-1",
)  # fmt: skip
DOCS = FIXTURES / "payloads" / "meta-docs-examples"
JAVA = FIXTURES / "payloads" / "whatsapp-business-java-api" / "deserialization"


def _provider(answer: httpx.Response | Exception, seen: list[httpx.Request] | None = None) -> MetaCloudProvider:
    def graph(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return MetaCloudProvider(GraphClient(httpx.MockTransport(graph)))


def _error(code: int, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": "refused", "type": "OAuthException", "code": code}})


ACCEPTED = httpx.Response(
    200,
    json={
        "messaging_product": "whatsapp",
        "contacts": [{"input": "5511987650001", "wa_id": "5511987650001"}],
        "messages": [{"id": "wamid.HBgM", "message_status": "accepted"}],
    },
)
TEXT = OutboundMessage(to="5511987650001", kind="text", text="Oi!", reply_to="wamid.IN", opaque="c:42")


def test_the_provider_is_on_the_port_with_meta_s_limits() -> None:
    provider: Provider = _provider(ACCEPTED)
    limits = provider.limits(CONFIG)
    assert (provider.name, provider.channel, provider.config_model) == ("meta_cloud", "whatsapp", MetaCloudConfig)
    assert limits.messages_per_second == 80 and limits.rate(None) == 80 and limits.rate("STANDARD") == 80
    assert limits.rate("high") == 1000 and limits.rate("SOMETHING_NEW") == 80
    assert limits.window == timedelta(hours=24) and limits.pair_interval == timedelta(seconds=6)
    assert limits.kinds == {"text", "media", "template", "interactive", "reaction"} and limits.text_max == 4096
    assert provider.number_of(CONFIG) == "106540352242922"


def test_a_sent_text_is_meta_s_request_with_its_token_and_wamid_back() -> None:
    seen: list[httpx.Request] = []
    outcome = _provider(ACCEPTED, seen).send(TEXT, CONFIG)
    assert (outcome.category, outcome.message_id) == (Outcome.SENT, "wamid.HBgM")
    (request,) = seen
    assert request.url.path == "/v23.0/106540352242922/messages"
    assert request.headers["authorization"] == "Bearer tok-1"
    assert json.loads(request.content) == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "5511987650001", "type": "text",
        "text": {"body": "Oi!", "preview_url": False}, "context": {"message_id": "wamid.IN"},
        "biz_opaque_callback_data": "c:42",
    }  # fmt: skip


def test_media_template_and_reaction_become_meta_s_bodies() -> None:
    seen: list[httpx.Request] = []
    provider = _provider(ACCEPTED, seen)
    image = OutboundMessage(to="551199", kind="media", text="menu", media={"type": "image", "id": "m1"})
    template = OutboundMessage(
        to="551199", kind="template", template={"name": "promo", "language": "pt_BR", "components": []}
    )
    reaction = OutboundMessage(to="551199", kind="reaction", reaction={"message_id": "wamid.X", "emoji": "👍"})
    assert all(provider.send(m, CONFIG).category is Outcome.SENT for m in (image, template, reaction))
    bodies = [json.loads(r.content) for r in seen]
    assert bodies[0]["image"] == {"id": "m1", "caption": "menu"}
    assert bodies[1]["template"] == {"name": "promo", "language": {"code": "pt_BR"}}
    assert bodies[2]["reaction"] == {"emoji": "👍", "message_id": "wamid.X"}


@pytest.mark.parametrize(
    ("answer", "category"),
    [
        (_error(130429), Outcome.RETRY_AFTER),  # the number's throughput
        (_error(131056), Outcome.RETRY_AFTER),  # the pair rate
        (_error(131000, 500), Outcome.RETRY_AFTER),  # transient
        (_error(131049), Outcome.RETRY_AFTER),  # not now: a day later
        (_error(131026), Outcome.RECIPIENT_FINAL),  # not on WhatsApp
        (_error(131050), Outcome.RECIPIENT_FINAL),  # stopped marketing messages
        (_error(131048), Outcome.CAMPAIGN_STOPPING),  # spam rate limit: the number
        (_error(190, 401), Outcome.CAMPAIGN_STOPPING),  # the token expired
        (httpx.ReadTimeout("no answer"), Outcome.UNKNOWN),  # may have reached Meta
        (httpx.ConnectError("refused"), Outcome.RETRY_AFTER),  # never left
    ],
)
def test_every_answer_of_meta_is_one_outcome_category(answer: httpx.Response | Exception, category: Outcome) -> None:
    outcome = _provider(answer).send(TEXT, CONFIG, attempt=1, jitter=0.5)
    assert outcome.category is category
    if isinstance(answer, httpx.Response):
        assert outcome.code == answer.json()["error"]["code"]


def test_a_rate_limit_slows_the_number_without_using_an_attempt() -> None:
    outcome = _provider(_error(130429)).send(TEXT, CONFIG, attempt=3)
    assert outcome.slow_down and not outcome.counts_as_attempt and outcome.retry_in > timedelta(0)
    stopping = _provider(_error(131048)).send(TEXT, CONFIG)
    assert stopping.campaign_reason is not None and stopping.campaign_reason.startswith("WhatsApp error 131048")


def test_content_meta_refuses_is_a_field_error_before_anything_is_sent() -> None:
    seen: list[httpx.Request] = []
    provider = _provider(ACCEPTED, seen)
    long_text = OutboundMessage(to="551199", kind="text", text="x" * 4097)
    long_caption = OutboundMessage(to="551199", kind="media", text="y" * 1025, media={"type": "image", "id": "m1"})
    no_caption = OutboundMessage(to="551199", kind="media", text="hi", media={"type": "audio", "id": "a1"})
    not_media = OutboundMessage(to="551199", kind="media", media={"type": "hologram", "id": "h1"})
    assert [(e.field, e.code, e.params) for e in provider.check(long_text, CONFIG)] == [
        ("text", "text_too_long", {"max": 4096})
    ]
    assert [(e.field, e.code, e.params) for e in provider.check(long_caption, CONFIG)] == [
        ("caption", "text_too_long", {"max": 1024})
    ]
    assert [e.code for e in provider.check(no_caption, CONFIG)] == ["no_caption"]
    assert [e.code for e in provider.check(not_media, CONFIG)] == ["media_type"]
    assert (
        provider.check(TEXT, CONFIG) == []
        and provider.check(OutboundMessage(to="5", kind="text", text="x" * 4096), CONFIG) == []
    )
    # sent anyway: refused for its recipient, and nothing reaches Meta
    assert provider.send(long_text, CONFIG).category is Outcome.RECIPIENT_FINAL and seen == []


def test_the_signature_is_checked_over_the_raw_bytes() -> None:
    provider = _provider(ACCEPTED)
    raw = (DOCS / "status_failed_131049.json").read_bytes()
    provider.verify(raw, {"X-Hub-Signature-256": sign(raw, "s3cret")}, CONFIG)  # any case of the header
    provider.verify(raw, {"x-hub-signature-256": sign(raw, "s3cret")}, CONFIG)
    reformatted = json.dumps(json.loads(raw)).encode()  # the same JSON, other bytes
    for body, headers in [
        (raw, {"x-hub-signature-256": sign(raw, "another secret")}),
        (reformatted, {"x-hub-signature-256": sign(raw, "s3cret")}),
        (raw, {"x-hub-signature-256": sign(raw, "s3cret").removeprefix("sha256=")}),
        (raw, {}),
    ]:
        with pytest.raises(Unverified):
            provider.verify(body, headers, CONFIG)


def _parse(path: Path) -> list[Any]:
    return _provider(ACCEPTED).parse(path.read_bytes())


def test_every_example_body_of_meta_parses_into_typed_events() -> None:
    kinds: set[type] = set()
    for path in WEBHOOK_BODIES:
        try:
            json.loads(path.read_bytes())
        except ValueError:  # one of Meta's examples is no JSON as it stands: bad input
            with pytest.raises(ValueError, match="not JSON"):
                _parse(path)
            continue
        events = _parse(path)
        kinds |= {type(e) for e in events}
        assert all(isinstance(e, InboundMessage | StatusUpdate | AccountEvent) for e in events), path.name
    assert kinds == {InboundMessage, StatusUpdate, AccountEvent}


def test_a_failed_status_carries_its_error_and_number() -> None:
    (status,) = _parse(DOCS / "status_failed_131049.json")
    assert isinstance(status, StatusUpdate)
    assert (status.status, status.number_id, status.recipient) == ("failed", "106540352242922", "16505551234")
    assert status.error_code == 131049 and status.error_title is not None and status.errors[0]["code"] == 131049
    assert status.at == datetime.fromtimestamp(1751142888, UTC)


def test_messages_are_normalized_with_their_sender_text_and_file() -> None:
    (text,) = _parse(JAVA / "textMessage.json")
    assert isinstance(text, InboundMessage) and text.kind == "text" and text.text and text.sender.isdigit()
    assert text.sender_name and text.number_id
    (image,) = _parse(JAVA / "imageMessage.json")
    assert isinstance(image, InboundMessage) and image.kind == "image" and image.media_id == image.raw["image"]["id"]
    (button,) = _parse(DOCS / "interactive_button_reply.json")
    assert isinstance(button, InboundMessage) and button.kind == "interactive" and button.text
    (reaction,) = _parse(JAVA / "reactMessage.json")
    assert isinstance(reaction, InboundMessage)
    assert (reaction.kind, reaction.text) == ("reaction", "👍")
    assert reaction.about is not None and reaction.about.startswith("wamid.")


def _body(field: str, value: dict[str, Any], time: int | None = 1751142888) -> bytes:
    entry: dict[str, Any] = {"id": "102290129340398", "changes": [{"field": field, "value": value}]}
    if time is not None:
        entry["time"] = time
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def test_an_edit_a_call_and_account_changes_are_typed_too() -> None:
    provider = _provider(ACCEPTED)
    edit = {"original_message_id": "wamid.A1", "text": {"body": "4!"}}  # no type: inferred from the new content
    value = {"messages": [{"from": "5511", "id": "wamid.E", "timestamp": "1", "type": "edit", "edit": edit}]}
    (event,) = provider.parse(_body("messages", value))
    assert isinstance(event, InboundMessage)
    assert (event.kind, event.about, event.new_kind, event.text) == ("edit", "wamid.A1", "text", "4!")
    call = {"id": "wacid.1", "from": "5511", "to": "1555", "event": "terminate", "timestamp": "20",
            "direction": "USER_INITIATED", "status": "COMPLETED", "start_time": "10", "end_time": "20",
            "duration": 10}  # fmt: skip
    (event,) = provider.parse(_body("calls", {"calls": [call]}))
    assert isinstance(event, AccountEvent) and event.kind == "call"
    facts = Call.model_validate(event.data)
    assert (facts.status, facts.duration, facts.contact, facts.provider_status) == ("answered", 10, "5511", "COMPLETED")
    (event,) = provider.parse(_body("account_update", {"event": "ACCOUNT_RESTRICTION"}))
    assert isinstance(event, AccountEvent)
    assert (event.kind, event.at) == ("account_update", datetime.fromtimestamp(1751142888, UTC))
    (event,) = provider.parse(_body("phone_number_quality_update", {"event": "THROUGHPUT_UPGRADE"}))
    assert isinstance(event, AccountEvent)
    assert event.kind == "number_limits" and event.data["throughput_level"] == "HIGH"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"\xff not json", "not JSON"),
        (b'{"object": "page", "entry": []}', "not a WhatsApp Business Account webhook"),
        (
            _body("messages", {"messages": [{"from": "1650CALLME", "id": "w", "timestamp": "1"}]}),
            "not as Meta sends it",
        ),
        (_body("account_update", {}, time=-5), "entry.time"),
        (_body("calls", {"calls": [{"id": "wacid.2", "timestamp": "1", "event": "connect"}]}), "contact's number"),
    ],
)
def test_a_body_not_as_meta_sends_it_is_a_value_error_saying_why(raw: bytes, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        _provider(ACCEPTED).parse(raw)


def test_a_received_file_is_fetched_from_meta_with_the_token() -> None:
    def graph(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer tok-1"
        if request.url.path == "/v23.0/m1":
            url = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=m1"
            return httpx.Response(200, json={"url": url, "mime_type": "image/jpeg", "id": "m1"})
        if request.url.host == "lookaside.fbsbx.com":
            return httpx.Response(200, content=b"jpeg bytes")
        return _error(100)  # "invalid parameter": no such media

    provider = MetaCloudProvider(GraphClient(httpx.MockTransport(graph)))
    assert provider.fetch_media("m1", CONFIG) == Fetched(data=b"jpeg bytes", mime_type="image/jpeg")
    with pytest.raises(MediaUnavailable):  # never will be: recorded on the message, not retried
        provider.fetch_media("gone", CONFIG)
    with pytest.raises(GraphTransientError):  # worth retrying: the body is retried
        _provider(_error(131000, 500)).fetch_media("m1", CONFIG)
