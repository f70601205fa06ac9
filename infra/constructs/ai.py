"""The platform's AI endpoint on AWS: an OpenAI-compatible API, its models named by the context, and its key in a
Secrets Manager secret that the functions read at run time (``AI_API_KEY_SECRET_ARN``), never in their
configuration or in the template.

The context keys (``AI_CONTEXT``) have their defaults in ``cdk.json``: the CDK CLI passes them (``-c key=value``
overrides one), and an app built without the CLI (``make synth`` runs ``python -m infra.app``; the tests) reads them
from the file. A company's own endpoint and key (sealed in its AI settings) override these per company.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, Node

from infra.assets import ROOT
from infra.nag import acknowledge

CDK_JSON = ROOT / "cdk.json"
# context key → the function's environment variable (masteria.settings.Settings)
AI_CONTEXT = {
    "ai_base_url": "AI_BASE_URL",
    "ai_chat_model": "AI_CHAT_MODEL",
    "ai_embedding_model": "AI_EMBEDDING_MODEL",
    "ai_embedding_dimensions": "AI_EMBEDDING_DIMENSIONS",
}
LOCAL_ONLY_EMBEDDER = "local:wordllama"  # masteria.adapters.local.wordllama_embedder.SETTING: not in the deps layer


def _file_defaults() -> dict[str, object]:
    context: dict[str, object] = json.loads(CDK_JSON.read_text()).get("context", {})
    return context


@dataclass(frozen=True)
class AiConfig:
    base_url: str
    chat_model: str
    embedding_model: str
    embedding_dimensions: int | None  # None: the model's own length

    @classmethod
    def from_context(cls, node: Node) -> AiConfig:
        """The context's values (cdk.json's where the context has none), refused at synth when a deployed function
        would refuse them at run time."""
        defaults = _file_defaults()

        def value(name: str) -> str:
            found = node.try_get_context(name)
            found = defaults.get(name) if found is None else found
            return "" if found is None else str(found).strip()

        base_url, chat, embedding, dimensions = (value(name) for name in AI_CONTEXT)
        if urlsplit(base_url).scheme != "https" or not urlsplit(base_url).hostname:
            raise ValueError(f"ai_base_url must be an https URL (the key travels with every request), not {base_url!r}")
        if not chat or not embedding:
            raise ValueError("ai_chat_model and ai_embedding_model must name models of the AI API")
        if embedding == LOCAL_ONLY_EMBEDDER:
            raise ValueError(f"ai_embedding_model={LOCAL_ONLY_EMBEDDER} is the local runtime's; name an API model")
        if dimensions and (not dimensions.isdigit() or not 1 <= int(dimensions) <= 16_000):
            raise ValueError(f"ai_embedding_dimensions must be a whole number from 1 to 16000, not {dimensions!r}")
        return cls(base_url, chat, embedding, int(dimensions) if dimensions else None)

    def environment(self) -> dict[str, str]:
        values = (self.base_url, self.chat_model, self.embedding_model, self.embedding_dimensions)
        return {env: str(v) for env, v in zip(AI_CONTEXT.values(), values, strict=True) if v is not None}


class AiEndpoint(Construct):
    """The AI settings and the key's secret; ``grant`` gives a function both."""

    def __init__(self, scope: Construct, id: str, *, config: AiConfig, key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.config = config
        # Created with a random placeholder: the operator puts the real key in (README, Deploy to AWS). Until then
        # the model refuses the placeholder, which the product reports as a refused key.
        self.api_key = secretsmanager.Secret(
            self,
            "ApiKey",
            description="Master IA: the platform's key of its AI API (put the real key in after the first deploy)",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=32),
        )
        acknowledge(self.api_key, "AwsSolutions-SMG4", "A provider's API key: rotated at the provider, by hand")

    def grant(self, function: lambda_.Function) -> None:
        for name, value in self.config.environment().items():
            function.add_environment(name, value)
        function.add_environment("AI_API_KEY_SECRET_ARN", self.api_key.secret_arn)
        self.api_key.grant_read(function)
