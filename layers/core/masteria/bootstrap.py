"""The composition root: builds the ports once per process, lazily, from settings (DESIGN.md §3)."""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from sqlalchemy.engine import make_url

from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.channels.providers.port import Registry
from masteria.clock import SystemClock
from masteria.crypto import CompanyKeys
from masteria.db import Database, make_engine, pg8000_url
from masteria.media import MediaLinks, UploadLinks
from masteria.observability import logger
from masteria.ports import (
    LLM,
    Clock,
    ConnectionRegistry,
    Embedder,
    EventBus,
    InboundSecrets,
    KeyService,
    ObjectStore,
    Queue,
    QueueConfig,
    Realtime,
    Scheduler,
)
from masteria.settings import Runtime, Settings
from masteria.tenancy.security import TokenConfig
from masteria.tenancy.service import LoginThrottle

if TYPE_CHECKING:
    from masteria.adapters.aws.secrets import SecretsReader
    from masteria.adapters.local.scheduler import TableScheduler
    from masteria.channels.providers.sms_aws.gateway import SmsGateway
    from masteria.channels.providers.sms_aws.sns import SnsVerifier


@dataclass(frozen=True)
class DatabaseUrls:
    owner: str
    app: str


def derive_app_url(owner_url: str, role: str, password: str | None) -> str:
    url = pg8000_url(owner_url).set(username=role, password=password)
    return url.render_as_string(hide_password=False)


def local_secret(data_dir: Path, name: str) -> str:
    """A random secret generated once and kept under the data dir (local runtime only)."""
    path = data_dir / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Container:
    """Everything a handler needs, built on first use and cached for the process."""

    def __init__(self, settings: Settings, *, queue_configs: dict[str, QueueConfig] | None = None) -> None:
        self.settings = settings
        # The queues' redelivery rules, from functions/manifest.py (the local queue enforces them;
        # on AWS each SQS queue carries its own redrive policy).
        self.queue_configs = queue_configs or {}

    @cached_property
    def database_urls(self) -> DatabaseUrls:
        s = self.settings
        if s.masteria_runtime is Runtime.AWS and s.database_url is None:
            return self._aws_database_urls()
        if s.database_url is not None:
            owner = s.database_url.get_secret_value()
        elif s.masteria_runtime is Runtime.LOCAL:
            from masteria.adapters.local import embedded_pg

            server = embedded_pg.start(s.masteria_data_dir)
            self._embedded = server  # keep the server referenced for the process's lifetime
            owner = embedded_pg.ensure_database(server, "masteria")
        else:  # Settings refuses this combination; kept for the type checker
            raise RuntimeError("DATABASE_URL is required on AWS")
        if s.database_app_url is not None:
            app = s.database_app_url.get_secret_value()
        else:
            password = s.database_app_password.get_secret_value() if s.database_app_password else None
            app = derive_app_url(owner, s.database_app_role, password)
        return DatabaseUrls(owner=owner, app=app)

    @cached_property
    def secrets_reader(self) -> SecretsReader:
        from masteria.adapters.aws.secrets import SecretsReader

        return SecretsReader.from_region(self.settings.aws_region)

    def _aws_database_urls(self) -> DatabaseUrls:
        """Deployed: RDS Proxy's host and the roles' secrets (the owner's only where migrations run)."""
        s = self.settings
        s.require("DATABASE_HOST", "DATABASE_APP_SECRET_ARN")
        assert s.database_host is not None and s.database_app_secret_arn is not None
        reader, host, port, name = self.secrets_reader, s.database_host, s.database_port, s.database_name
        app = reader.database_url(s.database_app_secret_arn, host=host, port=port, database=name)
        owner = ""
        if s.database_secret_arn:
            owner = reader.database_url(s.database_secret_arn, host=host, port=port, database=name)
        return DatabaseUrls(owner=owner, app=app)

    @cached_property
    def database(self) -> Database:
        database = Database(make_engine(self.database_urls.app, pool_size=self.settings.database_pool_size))
        database.after_events = self.relay_events
        database.after_jobs = self._relay_jobs
        return database

    def relay_events(self, company_id: uuid.UUID) -> None:
        """Publish a company's events right after they commit; the sweeper retries whatever fails here."""
        from masteria import outbox

        try:
            outbox.publish_company(self.database, self.event_bus, company_id)
        except Exception:
            logger.exception("outbox relay failed; the sweeper will publish the events")

    def _relay_jobs(self, company_id: uuid.UUID, ids: list[int]) -> None:
        """Send a transaction's outbox jobs right after it commits; the sweeper sends whatever fails here."""
        from masteria import jobs

        try:
            jobs.relay_company(self.database, self.queue, self.clock, company_id, ids)
        except Exception:
            logger.exception("job relay failed; the sweeper will send the jobs")

    @cached_property
    def event_bus(self) -> EventBus:
        if self.settings.masteria_runtime is Runtime.AWS:
            from masteria.adapters.aws.eventbridge_bus import EventBridgeBus

            self.settings.require("EVENT_BUS_NAME")
            assert self.settings.event_bus_name is not None
            return EventBridgeBus.from_region(self.settings.aws_region, self.settings.event_bus_name)
        from masteria.adapters.local.queue_bus import QueueEventBus

        return QueueEventBus(self.queue)

    @cached_property
    def scheduler(self) -> Scheduler:
        s = self.settings
        if s.masteria_runtime is Runtime.AWS:
            from masteria.adapters.aws.eventbridge_scheduler import EventBridgeScheduler

            s.require("SCHEDULER_GROUP", "SCHEDULER_ROLE_ARN")
            assert s.scheduler_group and s.scheduler_role_arn and s.sqs_queue_url_prefix
            return EventBridgeScheduler.from_region(
                s.aws_region,
                group=s.scheduler_group,
                role_arn=s.scheduler_role_arn,
                url_prefix=s.sqs_queue_url_prefix,
                dead_letter_arn=s.scheduler_dead_letter_arn,
            )
        return self.local_scheduler

    @cached_property
    def local_scheduler(self) -> TableScheduler:
        from masteria.adapters.local.scheduler import TableScheduler

        return TableScheduler(self.database.engine)

    @cached_property
    def clock(self) -> Clock:
        return SystemClock()

    @cached_property
    def jwt_secret(self) -> str:
        if self.settings.jwt_secret is not None:
            return self.settings.jwt_secret.get_secret_value()
        if self.settings.masteria_runtime is Runtime.AWS:
            self.settings.require("JWT_SECRET_ARN")
            assert self.settings.jwt_secret_arn is not None
            return self.secrets_reader.text(self.settings.jwt_secret_arn)
        return local_secret(self.settings.masteria_data_dir, "jwt_secret")

    @cached_property
    def token_config(self) -> TokenConfig:
        s = self.settings
        return TokenConfig(
            secret=self.jwt_secret,
            issuer=s.jwt_issuer,
            audience=s.jwt_audience,
            access_ttl=timedelta(seconds=s.access_token_ttl_seconds),
            refresh_ttl=timedelta(seconds=s.refresh_token_ttl_seconds),
        )

    @cached_property
    def login_throttle(self) -> LoginThrottle:
        s = self.settings
        return LoginThrottle(
            max_per_account=s.login_max_failures_per_account,
            max_per_address=s.login_max_failures_per_address,
            window=timedelta(seconds=s.login_failure_window_seconds),
        )

    @cached_property
    def queue(self) -> Queue:
        if self.settings.masteria_runtime is Runtime.AWS:
            from masteria.adapters.aws.sqs_queue import SqsQueue

            assert self.settings.sqs_queue_url_prefix is not None
            return SqsQueue.from_region(self.settings.aws_region, self.settings.sqs_queue_url_prefix)
        from masteria.adapters.local.pg_queue import PostgresQueue

        return PostgresQueue(self.database.engine, self.queue_configs)

    @cached_property
    def object_store(self) -> ObjectStore:
        if self.settings.masteria_runtime is Runtime.AWS:
            from masteria.adapters.aws.s3_store import S3Store

            self.settings.require("MEDIA_BUCKET")
            assert self.settings.media_bucket is not None
            return S3Store.from_region(self.settings.aws_region, self.settings.media_bucket)
        from masteria.adapters.local.file_store import FileStore

        return FileStore(self.settings.masteria_data_dir / "objects")

    @cached_property
    def key_service(self) -> KeyService:
        if self.settings.masteria_runtime is Runtime.AWS:
            from masteria.adapters.aws.kms_keys import KmsKeyService

            self.settings.require("KMS_KEY_ID")
            assert self.settings.kms_key_id is not None
            return KmsKeyService.from_region(self.settings.aws_region, self.settings.kms_key_id)
        from masteria.adapters.local.local_keys import LocalKeyService

        return LocalKeyService(self._local_master_key())

    def _local_master_key(self) -> bytes:
        return hashlib.sha256(local_secret(self.settings.masteria_data_dir, "master_key").encode()).digest()

    @cached_property
    def inbound_secrets(self) -> InboundSecrets:
        s = self.settings
        if s.masteria_runtime is Runtime.AWS:
            from masteria.adapters.aws.dynamodb_inbound_secrets import DynamoInboundSecrets

            s.require("INBOUND_SECRETS_TABLE", "KMS_KEY_ID")
            assert s.inbound_secrets_table is not None and s.kms_key_id is not None
            return DynamoInboundSecrets.from_region(s.aws_region, table=s.inbound_secrets_table, key_id=s.kms_key_id)
        from masteria.adapters.local.inbound_secrets import FileInboundSecrets

        return FileInboundSecrets(s.masteria_data_dir / "inbound_secrets", self._local_master_key())

    @cached_property
    def connection_registry(self) -> ConnectionRegistry:
        s = self.settings
        if s.masteria_runtime is Runtime.AWS:
            from masteria.adapters.aws.dynamodb_connections import DynamoConnectionRegistry

            s.require("REALTIME_CONNECTIONS_TABLE")
            assert s.realtime_connections_table is not None
            return DynamoConnectionRegistry.from_region(s.aws_region, s.realtime_connections_table)
        from masteria.adapters.local.realtime import InProcessConnectionRegistry

        return InProcessConnectionRegistry()

    @cached_property
    def realtime(self) -> Realtime:
        s = self.settings
        if s.masteria_runtime is Runtime.AWS:
            from masteria.adapters.aws.apigateway_realtime import ApiGatewayRealtime

            s.require("REALTIME_ENDPOINT")
            assert s.realtime_endpoint is not None
            return ApiGatewayRealtime.from_endpoint(s.aws_region, s.realtime_endpoint)
        from masteria.adapters.local.realtime import LocalRealtime

        return LocalRealtime()

    @cached_property
    def company_keys(self) -> CompanyKeys:
        return CompanyKeys(self.key_service, self.clock)

    @cached_property
    def media_links(self) -> MediaLinks:
        return MediaLinks(self.object_store, self.jwt_secret + ":media", self.clock)

    @cached_property
    def upload_links(self) -> UploadLinks:
        return UploadLinks(self.object_store, self.jwt_secret + ":uploads", self.clock)

    @cached_property
    def graph(self) -> GraphClient:
        s = self.settings
        # campaign sends run up to 64 requests at once: keep that many connections alive between them, and drop
        # an idle one before the server would (uvicorn: after 5 s): a request sent on a connection the server is
        # closing fails with no answer, an unknown outcome that is never resent
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=64, keepalive_expiry=2.0)
        return GraphClient(httpx.HTTPTransport(limits=limits), version=s.graph_api_version, base_url=s.graph_base_url)

    @cached_property
    def providers(self) -> Registry:
        """The channel providers, by the connections' ``provider``."""
        from masteria.channels.providers.meta_cloud.provider import MetaCloudProvider
        from masteria.channels.providers.sms_aws.provider import SmsAwsProvider

        registry = Registry()
        registry.add(MetaCloudProvider(self.graph))
        registry.add(SmsAwsProvider(self.sms_gateway, self.sns_verifier))
        return registry

    @cached_property
    def sms_gateway(self) -> SmsGateway:
        """AWS End User Messaging SMS, or the SMS sandbox where ``SMS_ENDPOINT_URL`` points to it (local)."""
        from masteria.adapters.aws.sms_voice import SmsVoiceGateway

        return SmsVoiceGateway.from_region(self.settings.aws_region, endpoint_url=self.settings.sms_endpoint_url)

    @cached_property
    def sns_verifier(self) -> SnsVerifier:
        """SNS's signature check (certificates fetched from SNS only; locally also the SMS sandbox's)."""
        from masteria.channels.providers.sms_aws.sns import SnsVerifier

        return SnsVerifier(trusted_base=self.settings.sns_trusted_cert_base)

    @cached_property
    def webhook_http(self) -> httpx.Client:
        """The dispatcher's HTTP client: SSRF-guarded, never following redirects."""
        from masteria.webhooks.ssrf import GuardedTransport

        s = self.settings
        transport = GuardedTransport(allow_http=s.webhooks_allow_http, allow_private=s.webhooks_allow_private)
        return httpx.Client(transport=transport, follow_redirects=False)

    @cached_property
    def ai_http(self) -> httpx.Client:
        """The HTTP client for a company's own AI endpoint (``masteria.ai.endpoints``): SSRF-guarded, no redirects;
        http only on the local runtime, private addresses only where WEBHOOKS_ALLOW_PRIVATE allows them."""
        from masteria.ai.endpoints import AiGuardedTransport

        s = self.settings
        local = s.masteria_runtime is not Runtime.AWS
        transport = AiGuardedTransport(allow_http=local, allow_private=local and s.webhooks_allow_private)
        return httpx.Client(transport=transport, follow_redirects=False)

    @cached_property
    def llm(self) -> LLM:
        """The platform's default chat model (``AI_CHAT_MODEL`` at ``AI_BASE_URL``)."""
        from masteria.ai.openai_adapter import OpenAiChat

        s = self.settings
        base_url, api_key = self._ai_endpoint()
        return OpenAiChat(
            base_url=base_url,
            api_key=api_key,
            model=s.ai_chat_model,
            timeout_seconds=s.ai_timeout_seconds,
            max_retries=s.ai_max_retries,
        )

    @cached_property
    def embedder(self) -> Embedder:
        """The platform's default embedder: the embedded wordllama (local runtime) or the API's embeddings."""
        from masteria.adapters.local import wordllama_embedder as local_embedder

        s = self.settings
        if s.ai_embedding_model == local_embedder.SETTING:
            if s.masteria_runtime is Runtime.AWS:
                raise ValueError(
                    f"AI_EMBEDDING_MODEL={local_embedder.SETTING} is for the local runtime: on AWS name a model of the "
                    "AI API's embeddings endpoint"
                )
            return local_embedder.WordLlamaEmbedder()
        from masteria.ai.openai_adapter import OpenAiEmbedder

        base_url, api_key = self._ai_endpoint()
        return OpenAiEmbedder(
            base_url=base_url,
            api_key=api_key,
            model=s.ai_embedding_model,
            dimensions=s.ai_embedding_dimensions,
            timeout_seconds=s.ai_timeout_seconds,
            max_retries=s.ai_max_retries,
        )

    def embedder_for(self, model: str) -> Embedder:
        """The embedder of ``model`` (a knowledge base's): the platform's when it is that one, the embedded wordllama
        by its name (the local runtime only), else that model on the AI API's embeddings endpoint, one client per
        model for the process. ``ValueError`` for a model none of these serves (its length unknown)."""
        from masteria.adapters.local import wordllama_embedder as local_embedder

        if model == self.embedder.model:
            return self.embedder
        known: dict[str, Embedder] = self.__dict__.setdefault("_embedders", {})
        if model in known:
            return known[model]
        if model in (local_embedder.MODEL, local_embedder.SETTING):
            if self.settings.masteria_runtime is Runtime.AWS:
                raise ValueError(f"the embedding model {model} is for the local runtime only")
            return known.setdefault(model, local_embedder.WordLlamaEmbedder())
        from masteria.ai.openai_adapter import NATIVE_DIMENSIONS, OpenAiEmbedder

        if model not in NATIVE_DIMENSIONS:
            raise ValueError(f"the embedding model {model} is not one we know the vectors of")
        s = self.settings
        base_url, api_key = self._ai_endpoint()
        return known.setdefault(
            model,
            OpenAiEmbedder(
                base_url=base_url,
                api_key=api_key,
                model=model,
                timeout_seconds=s.ai_timeout_seconds,
                max_retries=s.ai_max_retries,
            ),
        )

    @cached_property
    def page_http(self) -> httpx.Client:
        """The knowledge bases' page fetcher: SSRF-guarded like webhook deliveries (http allowed: a public page is
        often plain http, and nothing secret is sent), redirects followed one by one by the fetcher."""
        from masteria.webhooks.ssrf import GuardedTransport

        transport = GuardedTransport(allow_http=True, allow_private=self.settings.webhooks_allow_private)
        return httpx.Client(transport=transport, follow_redirects=False)

    def _ai_endpoint(self) -> tuple[str, str]:
        """The AI API's base URL and key. Without a key only a URL set on the local runtime will do (the AI sandbox
        takes any key): OpenAI's own API, and anything on AWS, needs a key (on AWS from Secrets Manager, never in
        the function's configuration), and on AWS the key goes over https only."""
        from masteria.ai.openai_adapter import OPENAI_BASE_URL

        s = self.settings
        url = s.ai_base_url or OPENAI_BASE_URL
        where = httpx.URL(url)  # named by its host only: a URL may carry credentials
        aws = s.masteria_runtime is Runtime.AWS
        if aws and where.scheme != "https":
            raise ValueError(f"AI_BASE_URL must be https on AWS (the key would travel in the clear to {where.host})")
        if s.ai_api_key is not None:  # the local runtime's (Settings refuses it on AWS)
            return url, s.ai_api_key.get_secret_value()
        if aws and s.ai_api_key_secret_arn is not None:
            return url, self.secrets_reader.text(s.ai_api_key_secret_arn)
        if not aws and s.ai_base_url is not None:
            return url, "masteria-local"
        raise ValueError(
            f"AI_API_KEY (on AWS: AI_API_KEY_SECRET_ARN) is required for the AI API at {where.scheme}://{where.host}"
        )

    def migrate(self) -> str:
        from masteria.migrations.runner import migrate

        s = self.settings
        if not self.database_urls.owner:
            raise RuntimeError("migrations need the owner's credentials: DATABASE_URL or DATABASE_SECRET_ARN")
        password = s.database_app_password.get_secret_value() if s.database_app_password else None
        app_role = make_url(self.database_urls.app).username or s.database_app_role
        return migrate(self.database_urls.owner, app_role=app_role, app_password=password)

    def close(self) -> None:
        if "database" in self.__dict__:
            self.database.dispose()
        if "graph" in self.__dict__:
            self.graph.close()
        if "sns_verifier" in self.__dict__:
            self.sns_verifier.close()
        others = list(self.__dict__.get("_embedders", {}).values())  # embedder_for's
        for adapter in [self.__dict__.get("llm"), self.__dict__.get("embedder"), *others]:
            close = getattr(adapter, "close", None)  # the OpenAI adapters hold an HTTP client; wordllama holds nothing
            if close is not None:
                close()
        if "page_http" in self.__dict__:
            self.page_http.close()


_installed: Container | None = None


def install(instance: Container | None) -> None:
    """Make ``instance`` the process's container (the local runtime and tests); ``None`` resets."""
    global _installed  # noqa: PLW0603 - the one process-wide container, by design
    _installed = instance
    _default.cache_clear()


@functools.cache
def _default() -> Container:
    return Container(Settings())


def container() -> Container:
    """The process's container (Lambda: built on the first invocation, reused while warm)."""
    return _installed if _installed is not None else _default()
