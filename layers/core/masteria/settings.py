"""Settings: every environment variable the product reads, validated in one model.

Nothing reads ``os.environ`` outside this module; ``bootstrap.container()`` builds ``Settings`` once
per process. The README's configuration reference lists these fields.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_ORIGIN = re.compile(r"^https?://([a-z0-9.-]+|\[[0-9a-f:]+\])(:[0-9]{1,5})?$")
_PLACEHOLDERS = {"changeme", "change-me", "secret", "password", "xxx", "todo"}


class Runtime(StrEnum):
    LOCAL = "local"
    AWS = "aws"


class Settings(BaseSettings):
    """Configuration. Defaults are the local runtime's embedded defaults."""

    # hide_input_in_errors: a refused setting never puts the environment (keys, URLs with passwords) in a log
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True, hide_input_in_errors=True)

    masteria_runtime: Runtime = Runtime.LOCAL
    masteria_data_dir: Path = Path(".data")
    masteria_env_name: str = "dev"

    # Owner role: runs migrations. Unset on the local runtime → the embedded PostgreSQL.
    database_url: SecretStr | None = None
    # Application role: every request and worker. Unset → derived from DATABASE_URL with the app role.
    database_app_url: SecretStr | None = None
    database_app_role: str = "masteria_app"
    database_app_password: SecretStr | None = None
    database_pool_size: int = Field(default=5, ge=1, le=100)
    # AWS: instead of URLs, the RDS Proxy host and Secrets Manager secrets ({"username", "password"}) of the
    # application role and (for migrations only) the owner role; connections use TLS.
    database_host: str | None = None
    database_port: int = 5432
    database_name: str = "masteria"
    database_app_secret_arn: str | None = None
    database_secret_arn: str | None = None

    # Access tokens (HS256). Required and checked on AWS; generated under MASTERIA_DATA_DIR locally.
    jwt_secret: SecretStr | None = None
    jwt_secret_arn: str | None = None  # AWS: the Secrets Manager secret holding it
    jwt_issuer: str = "masteria"
    jwt_audience: str = "masteria-api"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=900)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=3600)
    # Browsers' refresh cookie: the origins (scheme://host[:port]) its routes accept besides the request's own
    # (behind CloudFront the API sees API Gateway's host, not the dashboard's). Comma-separated in the environment.
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = ()

    # Failed-login throttling.
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)

    # AWS runtime: one SQS queue URL prefix and the region; names come from functions/manifest.py.
    aws_region: str = "us-east-1"
    sqs_queue_url_prefix: str | None = None
    media_bucket: str | None = None
    # DynamoDB table of connection secrets for the Meta webhook function (AWS); locally a folder of sealed files.
    inbound_secrets_table: str | None = None
    # EventBridge bus of the domain events (AWS); locally events go through the local queue.
    event_bus_name: str | None = None
    # EventBridge Scheduler (AWS): the group of one-time schedules (campaign starts), the role it sends to our
    # queues with, and its dead-letter queue; locally a table the schedule loop polls.
    scheduler_group: str | None = None
    scheduler_role_arn: str | None = None
    scheduler_dead_letter_arn: str | None = None
    # Campaigns: how long an outcome may stay unknown (no answer, no status webhook) before it is failed.
    campaign_unknown_timeout_seconds: int = Field(default=900, ge=10)
    # KMS key that wraps each company's data key (AWS); locally a master key under MASTERIA_DATA_DIR.
    kms_key_id: str | None = None
    # Live updates (AWS): the DynamoDB table of WebSocket connections, and the WebSocket stage's connection
    # URL the push posts frames to. Locally both live in the `masteria dev` process.
    realtime_connections_table: str | None = None
    realtime_endpoint: str | None = None
    # How long a connection stays registered (API Gateway closes WebSocket connections after 2 hours).
    realtime_connection_ttl_seconds: int = Field(default=7200, ge=60, le=86_400)

    # Meta's Graph API.
    graph_api_version: str = Field(default="v23.0", pattern=r"^v\d+\.\d+$")
    graph_base_url: str = "https://graph.facebook.com"

    # SMS (AWS End User Messaging SMS): where its API is (unset: AWS's endpoint in AWS_REGION; `masteria dev` points
    # it at the SMS sandbox), and, on the local runtime only, one more base URL whose certificates the SNS signature
    # check trusts besides SNS's own (the sandbox's, which signs its notifications with a certificate of its own).
    sms_endpoint_url: str | None = None
    sns_trusted_cert_base: str | None = None

    # AI models: the platform's defaults (a persona or a company's own key may replace them later), on any
    # OpenAI-compatible API. The base URL unset: OpenAI's own (https://api.openai.com/v1); `masteria dev` points it at
    # its AI sandbox. The key: required with OpenAI's own URL and on AWS; the local AI sandbox takes any. On AWS the
    # key is only read from Secrets Manager (the stack's AI secret), never taken from the function's configuration.
    ai_base_url: str | None = Field(default=None, pattern=r"^https?://")
    ai_api_key: SecretStr | None = None  # the local runtime only
    ai_api_key_secret_arn: str | None = None  # AWS: the Secrets Manager secret holding the key
    ai_chat_model: str = Field(default="gpt-4o-mini", min_length=1)
    # "local:wordllama": the embedded wordllama model (256 dimensions; the local runtime only, it is not in the AWS
    # deps layer). Any other value: that model on the API's embeddings endpoint, with AI_EMBEDDING_DIMENSIONS asked
    # for when set (text-embedding-3 models shorten their vectors) and the model's own length otherwise.
    ai_embedding_model: str = Field(default="local:wordllama", min_length=1)
    ai_embedding_dimensions: int | None = Field(default=None, ge=1, le=16_000)
    # Each model request: how long to wait for it, and how often the SDK retries a 429, 5xx, timeout or lost
    # connection (exponential backoff with jitter, honouring retry-after) before the call fails.
    ai_timeout_seconds: float = Field(default=30, gt=0, le=600)
    ai_max_retries: int = Field(default=2, ge=0, le=10)
    # Automatic replies hand the conversation to a person when the best knowledge passage found for the customer's
    # question is less similar than this (cosine, 0-1) while the persona has knowledge bases; 0: never for that.
    ai_handoff_min_similarity: float = Field(default=0.2, ge=0, le=1)

    # Outgoing webhooks: plain http and private addresses are refused, except on the local runtime when allowed
    # here (tests deliver to a loopback sink). Refused on AWS.
    webhooks_allow_http: bool = False
    webhooks_allow_private: bool = False

    # Local runtime.
    local_host: str = "127.0.0.1"
    local_port: int = Field(default=8000, ge=1, le=65535)
    # The built dashboard `masteria dev` serves at / (unset: web/dist of this checkout).
    web_dist_dir: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            origins = tuple(str(part).strip().rstrip("/").lower() for part in value)
            for origin in origins:
                if not _ORIGIN.match(origin):
                    raise ValueError(f"ALLOWED_ORIGINS: {origin!r} is not an origin like https://app.example.com")
            return origins
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _jwt_secret_is_real(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value()
        if len(raw) < 32 or raw.lower() in _PLACEHOLDERS:
            raise ValueError("JWT_SECRET must be at least 32 characters of real randomness")
        return value

    @model_validator(mode="after")
    def _aws_needs_real_config(self) -> Settings:
        if self.masteria_runtime is Runtime.AWS:
            self.require("SQS_QUEUE_URL_PREFIX")
            if self.webhooks_allow_http or self.webhooks_allow_private:
                raise ValueError("WEBHOOKS_ALLOW_HTTP and WEBHOOKS_ALLOW_PRIVATE are for the local runtime only")
            if self.sns_trusted_cert_base is not None:
                raise ValueError("SNS_TRUSTED_CERT_BASE is for the local runtime only")
            if self.ai_api_key is not None:
                raise ValueError(
                    "AI_API_KEY is for the local runtime only: on AWS the key is read from Secrets Manager"
                )
        return self

    def require(self, *names: str) -> None:
        """On AWS, refuse to go on without these settings (each function needs only what it uses: the webhook
        dispatcher has no database settings at all)."""
        if self.masteria_runtime is not Runtime.AWS:
            return
        missing = [name for name in names if getattr(self, name.lower()) is None]
        if missing:
            raise ValueError(f"MASTERIA_RUNTIME=aws requires {', '.join(missing)}")
