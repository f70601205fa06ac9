"""THE topology: every function, its trigger, timeout, memory, batch size and concurrency.

Pure data. ``infra/`` builds AWS resources from it, ``functions/local/`` wires the local runtime
from it, and tests check both against it. Nothing else lists functions or queues. A queue's name is the
domain's, declared once by the job module that sends to it (``import_jobs.QUEUE``, ``jobs.SEND_QUEUE``…)
and imported here, never spelt again (tests/unit/test_queue_names.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from masteria.ai.bursts import EVENT_TYPES as AI_RESPONDER_EVENTS
from masteria.ai.reply_jobs import QUEUE as AI_REPLIES
from masteria.appointments.reminders import QUEUE as APPOINTMENT_SCHEDULE
from masteria.appointments.reminders import REMINDER_QUEUE as APPOINTMENT_REMINDER
from masteria.automations.sends import QUEUE as AUTOMATION_SEND
from masteria.automations.triggers import EVENT_TYPES as AUTOMATION_EVENTS
from masteria.cadences.exits import EVENT_TYPES as CADENCE_EVENTS
from masteria.cadences.send_jobs import SEND_QUEUE as CADENCE_SEND
from masteria.campaigns.jobs import SEND_QUEUE as CAMPAIGN_SEND
from masteria.campaigns.jobs import START_QUEUE as CAMPAIGN_START
from masteria.campaigns.schedules import QUEUE as CAMPAIGN_SCHEDULE
from masteria.channels.inbound_job import QUEUE as INBOUND
from masteria.channels.secret_jobs import QUEUE as CONNECTION_SECRETS
from masteria.contacts.import_jobs import QUEUE as CONTACTS_IMPORT
from masteria.events import EventType
from masteria.knowledge.ingestion import QUEUE as KNOWLEDGE_INGEST
from masteria.ports import QueueConfig
from masteria.realtime.routing import PUSHED_EVENT_TYPES
from masteria.webhooks.catalogue import EVENT_TYPES as WEBHOOK_EVENT_TYPES
from masteria.webhooks.delivery import DISPATCH_QUEUE as WEBHOOK_DISPATCH
from masteria.webhooks.delivery import QUEUE as WEBHOOKS

# SQS visibility timeout is this many times the consumer's timeout (AWS guidance for Lambda).
VISIBILITY_TIMEOUT_FACTOR = 6
DEFAULT_MAX_RECEIVES = 5


@dataclass(frozen=True)
class HttpTrigger:
    """API Gateway HTTP API routes (``METHOD /path``; ``ANY /{proxy+}`` for the REST app)."""

    routes: tuple[str, ...]


@dataclass(frozen=True)
class WebSocketTrigger:
    """API Gateway WebSocket API routes (``$connect``, ``$disconnect``, ``$default``); locally ``/ws``."""

    routes: tuple[str, ...]


WEBSOCKET_ROUTES = ("$connect", "$disconnect", "$default")


@dataclass(frozen=True)
class QueueTrigger:
    queue: str
    batch_size: int = 10
    max_concurrency: int = 2
    max_receives: int = DEFAULT_MAX_RECEIVES


@dataclass(frozen=True)
class ScheduleTrigger:
    """A recurring schedule: ``rate(N minutes|hours)`` (EventBridge Scheduler syntax)."""

    expression: str


@dataclass(frozen=True)
class EventTrigger:
    """Domain events routed to this function (EventBridge rules on AWS, the event router locally)."""

    event_types: tuple[str, ...]


@dataclass(frozen=True)
class DeployTrigger:
    """Runs once on every deploy (a CloudFormation custom resource): database migrations."""


Trigger = HttpTrigger | WebSocketTrigger | QueueTrigger | ScheduleTrigger | EventTrigger | DeployTrigger


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str  # dotted path to the Lambda handler: "functions.api.handler.handler"
    trigger: Trigger
    description: str
    timeout_seconds: int = 30
    memory_mb: int = 512
    reserved_concurrency: int | None = None
    environment: dict[str, str] = field(default_factory=dict)
    # False keeps the function outside the VPC with no database credentials (the webhook dispatcher).
    needs_database: bool = True
    # What the function's role is granted beyond its trigger (least privilege on AWS).
    sends_to: tuple[str, ...] = ()  # queues it sends messages to
    uses_media: bool = False  # reads and writes the media bucket
    writes_media: str = ""  # a key pattern it may only put objects under (not read, not elsewhere)
    inbound_secrets: str = ""  # "read" (the Meta webhook) or "write" (connection_secrets) the secrets table
    schedules_once: bool = False  # creates and deletes one-time schedules (EventBridge Scheduler) to our queues
    realtime_connections: bool = False  # reads and writes the WebSocket connection registry
    posts_to_connections: bool = False  # posts frames to WebSocket clients (execute-api:ManageConnections)
    sms_actions: tuple[str, ...] = ()  # AWS End User Messaging SMS actions it calls (sends, opt-out lists)
    uses_ai: bool = False  # calls the platform's AI models (chat, embeddings): their settings and the key's secret


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="api",
        handler="functions.api.handler.handler",
        trigger=HttpTrigger(routes=("ANY /{proxy+}", "GET /health")),
        description="The REST API (FastAPI behind Mangum)",
        timeout_seconds=29,
        memory_mb=1024,
        sends_to=(
            CONTACTS_IMPORT,
            KNOWLEDGE_INGEST,
            WEBHOOKS,
            CAMPAIGN_START,
            CAMPAIGN_SEND,
            CAMPAIGN_SCHEDULE,
            CONNECTION_SECRETS,
            APPOINTMENT_SCHEDULE,
        ),
        uses_media=True,
        sms_actions=("sms-voice:SendTextMessage",),  # inbox replies over SMS
        uses_ai=True,  # knowledge searches, "test this persona", the AI settings' check
    ),
    FunctionSpec(
        name="contacts_importer",
        handler="functions.workers.contacts_importer.handler",
        trigger=QueueTrigger(queue=CONTACTS_IMPORT, batch_size=1, max_concurrency=2),
        description="Runs contact CSV imports in committed chunks (up to 1,000,000 rows)",
        timeout_seconds=900,
        memory_mb=1024,
        uses_media=True,
    ),
    FunctionSpec(
        name="knowledge_ingester",
        handler="functions.workers.knowledge_ingester.handler",
        trigger=QueueTrigger(queue=KNOWLEDGE_INGEST, batch_size=1, max_concurrency=2),
        description="Ingests knowledge-base documents (extract, chunk, embed, replace the chunks); re-embeds bases",
        timeout_seconds=900,
        memory_mb=1024,
        sends_to=(KNOWLEDGE_INGEST,),  # a long re-embedding hands the rest to a new job of its own
        uses_media=True,  # reads the uploaded originals
        uses_ai=True,  # embeds the chunks
    ),
    FunctionSpec(
        name="migrate",
        handler="functions.ops.migrate.handler",
        trigger=DeployTrigger(),
        description="Applies database migrations and the application role's grants on every deploy",
        timeout_seconds=600,
        memory_mb=512,
    ),
    FunctionSpec(
        name="meta_webhook",
        handler="functions.webhooks.meta.handler",
        trigger=HttpTrigger(routes=("GET /webhooks/meta/{key}", "POST /webhooks/meta/{key}")),
        description="Meta's webhooks: verification handshake; signature check on the raw bytes, then the queue",
        timeout_seconds=10,
        memory_mb=256,
        needs_database=False,
        sends_to=(INBOUND,),
        writes_media="inbound/*",  # a body too large for the queue goes to the bucket (a claim check)
        inbound_secrets="read",
    ),
    FunctionSpec(
        name="sms_webhook",
        handler="functions.webhooks.sms.handler",
        trigger=HttpTrigger(routes=("POST /webhooks/sms/{key}",)),
        description="SMS over SNS: signature check on the raw bytes (SNS's certificate), then the queue",
        timeout_seconds=10,
        memory_mb=256,
        needs_database=False,  # outside the VPC: it fetches SNS's signing certificate and confirms subscriptions
        sends_to=(INBOUND,),
        writes_media="inbound/*",
        inbound_secrets="read",
    ),
    FunctionSpec(
        name="inbound_processor",
        handler="functions.workers.inbound_processor.handler",
        # max_concurrency here is the local runtime's; on AWS it follows the stack's send_rate (infra/capacity.py)
        trigger=QueueTrigger(queue=INBOUND, batch_size=10, max_concurrency=5),
        description="Meta's webhook bodies into contacts, conversations, messages and statuses",
        timeout_seconds=60,
        memory_mb=512,
        uses_media=True,
    ),
    # Live updates first: the local event router calls an event's consumers in this order.
    FunctionSpec(
        name="realtime_connect",
        handler="functions.realtime.connect.handler",
        trigger=WebSocketTrigger(routes=("$connect",)),
        description="WebSocket $connect: checks the access token, registers the connection under its company",
        timeout_seconds=10,
        memory_mb=256,
        realtime_connections=True,
    ),
    FunctionSpec(
        name="realtime_disconnect",
        handler="functions.realtime.disconnect.handler",
        trigger=WebSocketTrigger(routes=("$disconnect",)),
        description="WebSocket $disconnect: forgets the connection",
        timeout_seconds=10,
        memory_mb=256,
        needs_database=False,
        realtime_connections=True,
    ),
    FunctionSpec(
        name="realtime_default",
        handler="functions.realtime.default.handler",
        trigger=WebSocketTrigger(routes=("$default",)),
        description="WebSocket frames from clients: subscribe, unsubscribe, ping; a bad frame gets an error frame",
        timeout_seconds=10,
        memory_mb=256,
        needs_database=False,
        realtime_connections=True,
    ),
    FunctionSpec(
        name="realtime_push",
        handler="functions.realtime.push.handler",
        trigger=EventTrigger(event_types=PUSHED_EVENT_TYPES),
        description="Domain events as frames to the company's subscribed WebSocket clients allowed to see them",
        timeout_seconds=30,
        memory_mb=512,
        realtime_connections=True,
        posts_to_connections=True,
    ),
    FunctionSpec(
        name="sms_opt_outs",
        handler="functions.workers.sms_opt_outs.handler",
        trigger=EventTrigger(event_types=(EventType.CONTACT_OPTED_OUT.value, EventType.CONTACT_OPTED_IN.value)),
        description="The company's SMS opt-out lists at AWS follow SMS opt-outs and opt-ins",
        timeout_seconds=30,
        memory_mb=256,
        sms_actions=("sms-voice:PutOptedOutNumber", "sms-voice:DeleteOptedOutNumber"),
    ),
    FunctionSpec(
        name="webhooks_fanout",
        handler="functions.workers.webhooks_fanout.handler",
        trigger=EventTrigger(event_types=WEBHOOK_EVENT_TYPES),
        description="Turns catalogue events into one delivery per subscribed webhook endpoint",
        timeout_seconds=30,
        memory_mb=256,
        sends_to=(WEBHOOKS,),
    ),
    FunctionSpec(
        name="ai_responder",
        handler="functions.workers.ai_responder.handler",
        trigger=EventTrigger(event_types=AI_RESPONDER_EVENTS),
        description="The AI responder's events: a customer's message joins its burst; a person's reply, an "
        "assignment or an opt-out stops the AI in that conversation",
        timeout_seconds=30,
        memory_mb=256,
        sends_to=(AI_REPLIES,),  # a burst's timer
    ),
    FunctionSpec(
        name="cadence_events",
        handler="functions.workers.cadence_events.handler",
        trigger=EventTrigger(event_types=CADENCE_EVENTS),
        description="Cadence enrollments end or note what happened: a reply, an opt-out, a lead's stage change; a "
        "contact entering a continuous segment is enrolled",
        timeout_seconds=30,
        memory_mb=256,
    ),
    FunctionSpec(
        name="automation_events",
        handler="functions.workers.automation_events.handler",
        trigger=EventTrigger(event_types=AUTOMATION_EVENTS),
        description="Runs the company's automation rules for the events they start on, in order, once per event",
        timeout_seconds=60,
        memory_mb=512,
        sends_to=(AUTOMATION_SEND,),  # a send action's message (an outbox job relayed after the run commits)
    ),
    FunctionSpec(
        name="ai_replier",
        handler="functions.workers.ai_replier.handler",
        trigger=QueueTrigger(queue=AI_REPLIES, batch_size=1, max_concurrency=8),
        description="Answers a customer's burst once its debounce has passed (retrieval, the model, a handoff); "
        "sends each part of an answer after its humanized delay, at most once",
        timeout_seconds=240,  # two model calls with the SDK's retries, at worst
        memory_mb=512,
        sends_to=(AI_REPLIES,),  # an answer's parts, a retry
        sms_actions=("sms-voice:SendTextMessage",),  # answers over SMS
        uses_ai=True,
    ),
    FunctionSpec(
        name="webhooks",
        handler="functions.workers.webhooks.handler",
        trigger=QueueTrigger(queue=WEBHOOKS, batch_size=10, max_concurrency=5),
        description="Signs due webhook deliveries for the dispatcher; logs outcomes, schedules retries",
        timeout_seconds=30,
        memory_mb=256,
        sends_to=(WEBHOOKS, WEBHOOK_DISPATCH),
    ),
    FunctionSpec(
        name="webhook_dispatcher",
        handler="functions.workers.webhook_dispatcher.handler",
        trigger=QueueTrigger(queue=WEBHOOK_DISPATCH, batch_size=10, max_concurrency=10),
        description="POSTs signed webhook deliveries through the SSRF guard (no VPC, no database)",
        timeout_seconds=60,
        memory_mb=256,
        needs_database=False,
        sends_to=(WEBHOOKS,),
    ),
    FunctionSpec(
        name="campaign_starter",
        handler="functions.workers.campaign_starter.handler",
        trigger=QueueTrigger(queue=CAMPAIGN_START, batch_size=1, max_concurrency=2),
        description="Starts a scheduled campaign: plans its recipient ledger (once) and hands it to the sender",
        timeout_seconds=300,
        memory_mb=512,
        sends_to=(CAMPAIGN_SEND,),
    ),
    FunctionSpec(
        name="campaign_sender",
        handler="functions.workers.campaign_sender.handler",
        trigger=QueueTrigger(queue=CAMPAIGN_SEND, batch_size=1, max_concurrency=4),
        description="Sends a running campaign for a slice of time under the number's pacing, then requeues it",
        timeout_seconds=60,
        memory_mb=512,
        sends_to=(CAMPAIGN_SEND,),
        sms_actions=("sms-voice:SendTextMessage",),
    ),
    FunctionSpec(
        name="cadence_sender",
        handler="functions.workers.cadence_sender.handler",
        trigger=QueueTrigger(queue=CADENCE_SEND, batch_size=1, max_concurrency=4),
        description="Sends a number's due cadence steps for a slice of time on its shared pacing, then requeues them",
        timeout_seconds=60,
        memory_mb=512,
        sends_to=(CADENCE_SEND,),
        sms_actions=("sms-voice:SendTextMessage",),
    ),
    FunctionSpec(
        name="automation_sender",
        handler="functions.workers.automation_sender.handler",
        trigger=QueueTrigger(queue=AUTOMATION_SEND, batch_size=1, max_concurrency=4),
        description="Sends an automation rule's message once through the one outbound path (consent, window, pacer)",
        timeout_seconds=60,
        memory_mb=512,
        sends_to=(AUTOMATION_SEND,),  # a message the pair rate holds back, later
        sms_actions=("sms-voice:SendTextMessage",),
    ),
    FunctionSpec(
        name="campaign_scheduler",
        handler="functions.workers.campaign_scheduler.handler",
        trigger=QueueTrigger(queue=CAMPAIGN_SCHEDULE, batch_size=10, max_concurrency=2),
        description="Creates, moves or deletes a campaign's one-time schedule from the campaign as it is now",
        timeout_seconds=30,
        memory_mb=256,
        sends_to=(CAMPAIGN_START,),  # a start whose time has come; the schedules' own target
        schedules_once=True,
    ),
    FunctionSpec(
        name="appointment_scheduler",
        handler="functions.workers.appointment_scheduler.handler",
        trigger=QueueTrigger(queue=APPOINTMENT_SCHEDULE, batch_size=10, max_concurrency=2),
        description="Creates, moves or deletes an appointment's reminder schedule from the appointment as it is now",
        timeout_seconds=30,
        memory_mb=256,
        sends_to=(APPOINTMENT_REMINDER,),  # a reminder already due; the schedules' own target
        schedules_once=True,
    ),
    FunctionSpec(
        name="appointment_reminder",
        handler="functions.workers.appointment_reminder.handler",
        trigger=QueueTrigger(queue=APPOINTMENT_REMINDER, batch_size=10, max_concurrency=2),
        description="Reminds an appointment's attendee (an in-app notification) if the appointment is still as it was",
        timeout_seconds=30,
        memory_mb=256,
    ),
    FunctionSpec(
        name="campaign_sweeper",
        handler="functions.workers.campaign_sweeper.handler",
        trigger=ScheduleTrigger(expression="rate(1 minute)"),
        description="Keeps campaigns and cadence sends moving: late starts, expired claims, unknown outcomes, "
        "completion, restarts",
        timeout_seconds=120,
        memory_mb=256,
        sends_to=(CAMPAIGN_START, CAMPAIGN_SEND, CADENCE_SEND),
    ),
    FunctionSpec(
        name="cadence_ticker",
        handler="functions.workers.cadence_ticker.handler",
        trigger=ScheduleTrigger(expression="rate(1 minute)"),
        description="Runs every company's due cadence steps in batches (send steps to the cadence sender) and "
        "enrolls continuous segments' new contacts",
        timeout_seconds=60,
        memory_mb=512,
        sends_to=(CADENCE_SEND,),  # a number's sends queued by a batch (outbox jobs relayed after its commit)
    ),
    FunctionSpec(
        name="automation_sweeper",
        handler="functions.workers.automation_sweeper.handler",
        trigger=ScheduleTrigger(expression="rate(5 minutes)"),
        description="Runs the no-reply automation rules once per conversation quiet for their hours",
        timeout_seconds=120,
        memory_mb=512,
        sends_to=(AUTOMATION_SEND,),
    ),
    FunctionSpec(
        name="connection_secrets",
        handler="functions.workers.connection_secrets.handler",
        trigger=QueueTrigger(queue=CONNECTION_SECRETS, batch_size=10, max_concurrency=2),
        description="Puts a connection's inbound secret where the Meta webhook reads it, or removes it once deleted",
        timeout_seconds=30,
        memory_mb=256,
        inbound_secrets="write",
    ),
    FunctionSpec(
        name="connection_checker",
        handler="functions.workers.connection_checker.handler",
        trigger=ScheduleTrigger(expression="rate(6 hours)"),
        description="Checks each connection's access token with Meta (debug_token); warns before expiry",
        timeout_seconds=300,
        memory_mb=256,
    ),
    FunctionSpec(
        name="outbox_sweeper",
        handler="functions.workers.outbox_sweeper.handler",
        trigger=ScheduleTrigger(expression="rate(1 minute)"),
        description="Publishes events and sends jobs the after-commit relay missed; takes up expired work in hand",
        timeout_seconds=60,
        memory_mb=256,
        sends_to=(
            CONTACTS_IMPORT,
            KNOWLEDGE_INGEST,
            WEBHOOKS,
            WEBHOOK_DISPATCH,
            CAMPAIGN_START,
            CAMPAIGN_SEND,
            CADENCE_SEND,
            CAMPAIGN_SCHEDULE,
            CONNECTION_SECRETS,
            APPOINTMENT_SCHEDULE,
            APPOINTMENT_REMINDER,
            AI_REPLIES,
            AUTOMATION_SEND,
        ),
    ),
    FunctionSpec(
        name="auth_sweeper",
        handler="functions.workers.auth_sweeper.handler",
        trigger=ScheduleTrigger(expression="rate(1 hour)"),
        description="Deletes expired refresh tokens and stale failed-login counters",
        timeout_seconds=60,
        memory_mb=256,
    ),
)


def by_name(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def queue_consumers(functions: tuple[FunctionSpec, ...] = FUNCTIONS) -> list[FunctionSpec]:
    return [f for f in functions if isinstance(f.trigger, QueueTrigger)]


def schedules(functions: tuple[FunctionSpec, ...] = FUNCTIONS) -> list[FunctionSpec]:
    return [f for f in functions if isinstance(f.trigger, ScheduleTrigger)]


def websocket_routes(functions: tuple[FunctionSpec, ...] = FUNCTIONS) -> dict[str, FunctionSpec]:
    """Each WebSocket route key to the function that handles it."""
    return {r: f for f in functions if isinstance(f.trigger, WebSocketTrigger) for r in f.trigger.routes}


def event_consumers(functions: tuple[FunctionSpec, ...] = FUNCTIONS) -> list[FunctionSpec]:
    return [f for f in functions if isinstance(f.trigger, EventTrigger)]


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}-dlq"


def local_queue_configs(functions: tuple[FunctionSpec, ...] = FUNCTIONS) -> dict[str, QueueConfig]:
    """The queues of the local runtime: the manifest's, plus ``events`` (EventBridge's stand-in)."""
    from masteria.adapters.local.queue_bus import EVENTS_QUEUE

    configs = queue_configs(functions)
    configs[EVENTS_QUEUE] = QueueConfig(EVENTS_QUEUE, 60, DEFAULT_MAX_RECEIVES, f"{EVENTS_QUEUE}-dlq")
    configs[f"{EVENTS_QUEUE}-dlq"] = QueueConfig(f"{EVENTS_QUEUE}-dlq", 60, 0, None)
    return configs


def queue_configs(functions: tuple[FunctionSpec, ...] = FUNCTIONS) -> dict[str, QueueConfig]:
    """Every queue a consumer reads, with its dead-letter queue, derived from the consumers."""
    configs: dict[str, QueueConfig] = {}
    for spec in queue_consumers(functions):
        assert isinstance(spec.trigger, QueueTrigger)
        name = spec.trigger.queue
        dlq = dead_letter_queue_name(name)
        visibility = VISIBILITY_TIMEOUT_FACTOR * spec.timeout_seconds
        configs[name] = QueueConfig(name, visibility, spec.trigger.max_receives, dlq)
        configs[dlq] = QueueConfig(dlq, visibility, 0, None)
    return configs
