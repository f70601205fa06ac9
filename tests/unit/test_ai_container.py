"""The container's AI defaults: which adapter each setting chooses, built lazily, and the settings it refuses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from masteria.adapters.local import wordllama_embedder as local_embedder
from masteria.adapters.local.wordllama_embedder import WordLlamaEmbedder
from masteria.ai.openai_adapter import OpenAiChat, OpenAiEmbedder
from masteria.bootstrap import Container
from masteria.settings import Runtime, Settings

AWS: dict[str, Any] = {
    "masteria_runtime": Runtime.AWS,
    "sqs_queue_url_prefix": "https://sqs.us-east-1.amazonaws.com/1/p-",
}
SANDBOX = "http://127.0.0.1:8000/sandbox/openai/v1"


@pytest.fixture(autouse=True)
def _no_ai_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the environment: a developer's own AI_* variables must not change what these tests see."""
    for name in ("AI_BASE_URL", "AI_API_KEY", "AI_CHAT_MODEL", "AI_EMBEDDING_MODEL", "AI_EMBEDDING_DIMENSIONS",
                 "AI_TIMEOUT_SECONDS", "AI_MAX_RETRIES", "MASTERIA_RUNTIME"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def container(**settings: Any) -> Container:
    return Container(Settings(**settings))


def test_the_defaults_are_the_local_embedder_and_gpt_4o_mini() -> None:
    settings = Settings()
    assert (settings.ai_base_url, settings.ai_api_key, settings.ai_chat_model) == (None, None, "gpt-4o-mini")
    assert settings.ai_embedding_model == local_embedder.SETTING
    assert (settings.ai_timeout_seconds, settings.ai_max_retries) == (30, 2)
    assert isinstance(container().embedder, WordLlamaEmbedder)


def test_locally_a_base_url_needs_no_key_and_the_chat_model_is_the_setting() -> None:
    built = container(ai_base_url=SANDBOX, ai_chat_model="gpt-4.1-mini", ai_max_retries=0)
    llm = built.llm
    assert isinstance(llm, OpenAiChat) and llm.model == "gpt-4.1-mini"
    assert built.llm is llm  # built once
    built.close()


def test_another_embedding_model_is_the_apis_with_its_configured_dimensions() -> None:
    built = container(ai_base_url=SANDBOX, ai_embedding_model="text-embedding-3-small", ai_embedding_dimensions=256)
    embedder = built.embedder
    assert isinstance(embedder, OpenAiEmbedder)
    assert (embedder.model, embedder.dimensions) == ("text-embedding-3-small", 256)
    built.close()


def test_openais_own_api_and_aws_need_a_key() -> None:
    with pytest.raises(ValueError, match=re.escape("is required for the AI API at https://api.openai.com")):
        _ = container().llm
    with pytest.raises(ValueError, match="AI_API_KEY") as refused:  # the URL's host only: it may carry credentials
        _ = container(**AWS, ai_base_url="https://user:pw@models.example.com/v1?api-key=k").llm
    assert "pw" not in str(refused.value) and "api-key" not in str(refused.value)
    keyed = container(ai_api_key="sk-live-1", ai_embedding_model="text-embedding-3-large")
    assert isinstance(keyed.llm, OpenAiChat) and keyed.embedder.dimensions == 3072
    keyed.close()


def test_on_aws_a_key_in_the_configuration_is_refused() -> None:
    # GIVEN a deployed function's settings WHEN a key comes in its environment THEN they are refused: there the key
    # is read from Secrets Manager only
    with pytest.raises(ValidationError, match="AI_API_KEY is for the local runtime only") as refused:
        Settings(**AWS, ai_api_key="sk-live-1")
    assert "sk-live-1" not in str(refused.value)


def test_the_local_embedder_is_refused_on_aws_only_when_it_is_asked_for() -> None:
    built = container(**AWS)  # a function that embeds nothing starts with the default
    with pytest.raises(ValueError, match="local runtime"):
        _ = built.embedder


@pytest.mark.parametrize(
    "bad",
    [{"ai_base_url": "ftp://x"}, {"ai_timeout_seconds": 0}, {"ai_max_retries": -1}, {"ai_embedding_dimensions": 0}],
)
def test_settings_out_of_range_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Settings(**bad)


def test_on_aws_the_key_comes_from_secrets_manager_and_goes_over_https_only() -> None:
    from moto import mock_aws

    with mock_aws():
        import boto3

        secret = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
            Name="ai-key", SecretString="sk-from-secrets-manager"
        )
        keyed = container(**AWS, aws_region="us-east-1", ai_api_key_secret_arn=secret["ARN"])
        assert keyed._ai_endpoint() == ("https://api.openai.com/v1", "sk-from-secrets-manager")
        with pytest.raises(ValueError, match="must be https on AWS"):
            container(
                **AWS, ai_api_key_secret_arn=secret["ARN"], ai_base_url="http://models.example.com/v1"
            )._ai_endpoint()
