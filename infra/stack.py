"""The one stack: capabilities as constructs, functions wired to their triggers from the manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aws_cdk import Aws, CfnOutput, Stack
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_lambda_event_sources import SqsEventSource
from constructs import Construct

from functions import manifest
from functions.web_security import DASHBOARD_CONTENT_SECURITY_POLICY, with_connect_sources
from infra import assets
from infra.capacity import META_WEBHOOK, SMS_WEBHOOK, Sizing
from infra.constructs.ai import AiConfig, AiEndpoint
from infra.constructs.baileys import BaileysHost
from infra.constructs.database import GIB_PER_ACU, MAX_CAPACITY_ACU, MAX_CONNECTIONS, Database
from infra.constructs.eventbus import EventRouting
from infra.constructs.functions import Functions
from infra.constructs.http_api import HttpApi
from infra.constructs.migrations import Migrations
from infra.constructs.monitoring import Monitoring
from infra.constructs.network import Network
from infra.constructs.queues import Queues
from infra.constructs.schedules import Schedules
from infra.constructs.sms import WILDCARDS as SMS_WILDCARDS
from infra.constructs.sms import Sms
from infra.constructs.storage import Storage
from infra.constructs.web import Dashboard
from infra.constructs.websocket_api import WebSocketApi
from infra.nag import (
    acknowledge,
    acknowledge_resource_wildcard,
    acknowledge_wildcard_actions,
    logical_id,
    region_and_account,
)

POWERTOOLS = {
    "POWERTOOLS_SERVICE_NAME": "masteria",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_LOGGER_LOG_EVENT": "false",  # events carry phone numbers and message bodies
    "POWERTOOLS_METRICS_NAMESPACE": "Masteria",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
}


def tree_hash(*roots: Path) -> str:
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class MasteriaStack(Stack):
    def __init__(self, scope: Construct, id: str, *, env_name: str, staging_dir: Path, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        prefix = f"masteria-{env_name}-"
        alarm_email = self.node.try_get_context("alarm_email")
        deploy_id = str(self.node.try_get_context("deploy_id") or "")
        # The sending rate the stack is sized for: Meta's webhook throttle and the inbound processor follow it.
        self.sizing = Sizing.from_context(self.node.try_get_context("send_rate"))

        network = Network(self, "Network")
        storage = Storage(self, "Storage")
        queues = Queues(self, "Queues", prefix=prefix)
        database = Database(
            self, "Database", vpc=network.vpc, clients=network.app_security_group, key=storage.key, prefix=prefix
        )
        jwt_secret = secretsmanager.Secret(
            self,
            "JwtSecret",
            description="HMAC key of Master IA access tokens",
            encryption_key=storage.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=64),
        )
        acknowledge(jwt_secret, "AwsSolutions-SMG4", "Rotating it signs every user out; rotated by hand when needed")
        # Failed deliveries of EventBridge rules and Scheduler schedules land here (not manifest queues).
        delivery_dlq = sqs.Queue(
            self,
            "DeliveryDeadLetters",
            queue_name=f"{prefix}delivery-dlq",
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
        )
        acknowledge(delivery_dlq, "AwsSolutions-SQS3", "This is a dead-letter queue; alarmed when not empty")

        schedules = Schedules(self, "Schedules", group_name=f"{prefix}schedules", dead_letter_queue=delivery_dlq)
        code_dir, core_dir = assets.stage(staging_dir)
        functions = Functions(
            self,
            "Functions",
            code_dir=code_dir,
            core_layer_dir=core_dir,
            deps_layer_dir=assets.deps_layer(placeholder=self.node.try_get_context("deps_layer") == "placeholder"),
            environment={
                **POWERTOOLS,
                "MASTERIA_RUNTIME": "aws",
                "MASTERIA_ENV_NAME": env_name,
                "SQS_QUEUE_URL_PREFIX": f"https://sqs.{Aws.REGION}.{Aws.URL_SUFFIX}/{Aws.ACCOUNT_ID}/{prefix}",
                "MEDIA_BUCKET": storage.media_bucket.bucket_name,
                "KMS_KEY_ID": storage.key.key_arn,
                "EVENT_BUS_NAME": f"{prefix}events",
                "INBOUND_SECRETS_TABLE": storage.inbound_secrets.table_name,
                "SCHEDULER_GROUP": f"{prefix}schedules",
                "SCHEDULER_ROLE_ARN": schedules.role.role_arn,
                "SCHEDULER_DEAD_LETTER_ARN": delivery_dlq.queue_arn,
            },
            failed_events_queue_name=f"{prefix}failed-events",
            network=(network.vpc, network.app_security_group),
            database=database,
            jwt_secret=jwt_secret,
        )
        http = HttpApi(self, "Http", api_name=f"{prefix}api")
        websocket = WebSocketApi(self, "WebSocket", api_name=f"{prefix}live")
        routing = EventRouting(self, "Events", bus_name=f"{prefix}events", dead_letter_queue=delivery_dlq)
        migrations = Migrations(self, "Migrations", revision=f"{tree_hash(code_dir, core_dir)}:{deploy_id}")
        monitoring = Monitoring(
            self, "Monitoring", key=storage.key, dashboard_name=f"{prefix}overview", email=alarm_email
        )

        sms = Sms(self, "Sms", prefix=prefix, key=storage.key)
        ai = AiEndpoint(self, "Ai", config=AiConfig.from_context(self.node), key=storage.key)
        for spec in manifest.FUNCTIONS:
            function = functions.functions[spec.name]
            trigger = spec.trigger
            if isinstance(trigger, manifest.HttpTrigger):
                http.add(spec, function)
                if spec.name in (META_WEBHOOK, SMS_WEBHOOK):  # their own limit, not the REST API's (infra.capacity)
                    http.throttle(spec, rate_limit=self.sizing.webhook_rate, burst_limit=self.sizing.webhook_burst)
            elif isinstance(trigger, manifest.WebSocketTrigger):
                websocket.add(spec, function)
            elif isinstance(trigger, manifest.QueueTrigger):
                queues.queues[trigger.queue].grant_consume_messages(function)
                function.add_event_source(
                    SqsEventSource(
                        queues.queues[trigger.queue],
                        batch_size=trigger.batch_size,
                        max_concurrency=self.sizing.max_concurrency(spec),
                        report_batch_item_failures=True,
                    )
                )
            elif isinstance(trigger, manifest.ScheduleTrigger):
                schedules.add(spec, function)
            elif isinstance(trigger, manifest.EventTrigger):
                routing.route(spec, function)
            elif isinstance(trigger, manifest.DeployTrigger):
                migrations.add(spec, function)
            else:  # a new trigger kind must be wired here before it can deploy
                raise TypeError(f"{spec.name}: no AWS wiring for trigger {trigger!r}")
            for target in spec.sends_to:
                queues.queues[target].grant_send_messages(function)
            if spec.schedules_once:
                schedules.allow_one_time(function, [queues.queues[q] for q in spec.sends_to])
            if spec.uses_media:
                storage.media_bucket.grant_read_write(function)
            if spec.writes_media:  # put only, under its prefix: the public webhook reads nobody's files
                storage.media_bucket.grant_put(function, spec.writes_media)
            if spec.inbound_secrets == "read":
                storage.inbound_secrets.grant_read_data(function)
                storage.key.grant(function, "kms:Decrypt")
            elif spec.inbound_secrets == "write":
                storage.inbound_secrets.grant_read_write_data(function)
                storage.key.grant(function, "kms:Encrypt", "kms:Decrypt")
            if spec.realtime_connections:
                storage.connections.grant_read_write_data(function)
                function.add_environment("REALTIME_CONNECTIONS_TABLE", storage.connections.table_name)
            if spec.posts_to_connections:
                websocket.grant_post(function)
            if spec.sms_actions:
                sms.grant(function, *spec.sms_actions)
            if spec.uses_ai:
                ai.grant(function)
            if spec.needs_database:
                routing.bus.grant_put_events_to(function)
                # company data keys (masteria.crypto): wrapped at first use, unwrapped when secrets are read
                storage.key.grant(function, "kms:GenerateDataKey", "kms:Decrypt")
            monitoring.watch_function(spec.name, function)

        for name, queue in queues.queues.items():
            monitoring.watch_queue(name, queue, dead_letter=queue.dead_letter_queue is None)
        monitoring.watch_queue("delivery-dlq", delivery_dlq, dead_letter=True)
        monitoring.watch_queue("failed-events", functions.failed_events, dead_letter=True)
        monitoring.watch_database(
            database.cluster,
            database.proxy,
            max_connections=MAX_CONNECTIONS,
            max_memory_gib=MAX_CAPACITY_ACU * GIB_PER_ACU,
        )
        monitoring.watch_http_api(http.stage)
        monitoring.watch_websocket_api(websocket.api, websocket.stage)

        BaileysHost(self, "Baileys", vpc=network.vpc, directory=assets.BAILEYS_HOST)
        acknowledge_resource_wildcard(
            self,
            f"<{logical_id(storage.media_bucket)}.Arn>/*",
            "Object-level grants on the media bucket: keys are per company and per import, known only at run time",
        )
        for pattern in SMS_WILDCARDS:
            acknowledge_resource_wildcard(
                self,
                f"arn:<AWS::Partition>:sms-voice:{region_and_account(self)}:{pattern}",
                "SMS: the origination (phone number, sender ID or pool) and opt-out list a send or an opt-out names are"
                " the connection's sealed configuration, known only at run time; of this account and region, by"
                " resource type (the configuration set is named)",
            )
        acknowledge_resource_wildcard(
            self,
            f"<{logical_id(storage.media_bucket)}.Arn>/inbound/*",
            "The Meta webhook puts claim checks (webhook bodies too large for SQS) under inbound/, keyed per body",
        )

        acknowledge_wildcard_actions(self)
        acknowledge_resource_wildcard(
            self,
            f"<{logical_id(storage.connections)}.Arn>/index/*",
            "The connection table's indexes, of this table only: the push lists a company's connections by_company",
        )
        acknowledge_resource_wildcard(
            self,
            f"arn:<AWS::Partition>:execute-api:{region_and_account(self)}:<{logical_id(websocket.api)}>"
            f"/{websocket.stage.stage_name}/*/@connections/*",
            "The push posts to WebSocket connections of this API's stage only; connection ids exist only at run time",
        )
        dashboard = Dashboard(
            self,
            "Dashboard",
            app_dir=assets.web_dist(staging_dir, placeholder=self.node.try_get_context("web_dist") == "placeholder"),
            http_api=http.api,
            websocket_stage=websocket.stage,
            content_security_policy=with_connect_sources(DASHBOARD_CONTENT_SECURITY_POLICY, storage.uploads_origin),
        )
        storage.allow_uploads_from(dashboard.url)
        # The refresh cookie's Origin check: behind the distribution the API sees API Gateway's own Host, not the
        # origin the browser is on, so it is told that one.
        for spec in manifest.FUNCTIONS:
            if isinstance(spec.trigger, manifest.HttpTrigger):
                functions.functions[spec.name].add_environment("ALLOWED_ORIGINS", dashboard.url)
        CfnOutput(
            self, "DashboardUrl", value=dashboard.url, description="The dashboard; /v1 and /ws on the same origin"
        )
        CfnOutput(self, "ApiUrl", value=http.api.api_endpoint)
        CfnOutput(self, "WebSocketUrl", value=websocket.stage.url)
        CfnOutput(self, "MediaBucketName", value=storage.media_bucket.bucket_name)
        CfnOutput(
            self,
            "AiApiKeySecretArn",
            value=ai.api_key.secret_arn,
            description="Put the platform's AI API key here: aws secretsmanager put-secret-value --secret-id <this>",
        )
