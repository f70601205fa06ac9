"""The platform's AI endpoint on AWS: the models from the context (cdk.json's defaults), the key in a Secrets Manager
secret only the functions that call the models may read, and a deployed function's settings built from it."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from moto import mock_aws

from functions import manifest
from infra.constructs.ai import AI_CONTEXT, CDK_JSON, AiConfig
from masteria.ai.openai_adapter import OpenAiChat, OpenAiEmbedder
from masteria.bootstrap import Container
from masteria.settings import Settings
from tests.infra.conftest import Synth
from tests.infra.test_app import _roles_allowed, function_id, logical_id, refers_to

SECRET = "Ai/ApiKey/Resource"
DEFAULTS: dict[str, Any] = json.loads(CDK_JSON.read_text())["context"]


def environment(synth: Synth, name: str) -> dict[str, Any]:
    variables: dict[str, Any] = synth.template["Resources"][function_id(synth, name)]["Properties"]["Environment"][
        "Variables"
    ]
    return variables


def test_cdk_json_names_openai_and_its_models() -> None:
    assert DEFAULTS["ai_base_url"] == "https://api.openai.com/v1"
    assert (DEFAULTS["ai_chat_model"], DEFAULTS["ai_embedding_model"]) == ("gpt-4o-mini", "text-embedding-3-small")
    assert DEFAULTS["ai_embedding_dimensions"] == 1536


def test_the_functions_that_call_the_models_get_them_and_the_keys_secret_and_no_key(synth: Synth) -> None:
    secret = logical_id(synth, SECRET)
    callers = {spec.name for spec in manifest.FUNCTIONS if spec.uses_ai}
    assert callers == {"api", "knowledge_ingester", "ai_replier"}
    for spec in manifest.FUNCTIONS:
        env = environment(synth, spec.name)
        assert "AI_API_KEY" not in env, spec.name  # never a key in a function's configuration
        if spec.name not in callers:
            assert not any(k.startswith("AI_") for k in env), spec.name
            continue
        assert {k: env[k] for k in AI_CONTEXT.values()} == {v: str(DEFAULTS[k]) for k, v in AI_CONTEXT.items()}
        assert refers_to(env["AI_API_KEY_SECRET_ARN"], secret)
    assert _roles_allowed(synth, "secretsmanager:GetSecretValue", secret) == callers


def test_the_keys_secret_is_generated_encrypted_with_the_stack_key_and_its_arn_an_output(synth: Synth) -> None:
    props = synth.template["Resources"][logical_id(synth, SECRET)]["Properties"]
    assert "SecretString" not in props and "GenerateSecretString" in props  # a placeholder; no key in the template
    assert refers_to(props["KmsKeyId"], logical_id(synth, "Storage/Key/Resource"))
    assert refers_to(synth.template["Outputs"]["AiApiKeySecretArn"]["Value"], logical_id(synth, SECRET))


def test_a_deployed_functions_environment_builds_the_models_with_the_key_from_its_secret(
    synth: Synth, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the AI replier's environment as deployed, its secret holding the key
    env = environment(synth, "ai_replier")
    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
            Name="ai-key", SecretString="sk-platform"
        )["ARN"]
        for name in AI_CONTEXT.values():
            monkeypatch.setenv(name, env[name])
        monkeypatch.setenv("AI_API_KEY_SECRET_ARN", arn)
        monkeypatch.delenv("AI_API_KEY", raising=False)
        settings = Settings(masteria_runtime="aws", sqs_queue_url_prefix="https://sqs/1/p-", aws_region="us-east-1")
        container = Container(settings)
        # WHEN it builds its models THEN they are OpenAI's, with the key read from the secret
        assert container._ai_endpoint() == ("https://api.openai.com/v1", "sk-platform")
        assert isinstance(container.llm, OpenAiChat) and container.llm.model == "gpt-4o-mini"
        embedder = container.embedder
        assert isinstance(embedder, OpenAiEmbedder)
        assert (embedder.model, embedder.dimensions) == ("text-embedding-3-small", 1536)
        container.close()


def test_the_context_overrides_the_defaults_and_what_a_function_would_refuse_stops_the_synth() -> None:
    app = cdk.App(context={"ai_base_url": "https://llm.example.com/v1", "ai_chat_model": "gpt-4.1-mini",
                           "ai_embedding_dimensions": ""})  # fmt: skip
    config = AiConfig.from_context(app.node)
    assert config.environment() == {
        "AI_BASE_URL": "https://llm.example.com/v1",
        "AI_CHAT_MODEL": "gpt-4.1-mini",
        "AI_EMBEDDING_MODEL": "text-embedding-3-small",  # cdk.json's
    }  # no dimensions: the model's own length
    for bad, message in [
        ({"ai_base_url": "http://llm.example.com/v1"}, "https"),
        ({"ai_embedding_model": "local:wordllama"}, "local runtime"),
        ({"ai_embedding_dimensions": "many"}, "whole number"),
        ({"ai_chat_model": " "}, "name models"),
    ]:
        with pytest.raises(ValueError, match=message):
            AiConfig.from_context(cdk.App(context=bad).node)
