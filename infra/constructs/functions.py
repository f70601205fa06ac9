"""One Lambda function per manifest entry: Python on arm64, core and deps layers, its own role and log group.

A function invoked asynchronously with an event (``ASYNC_EVENT_TRIGGERS``: EventBridge rules) is built with an
on-failure destination, the ``failed_events`` queue: an event that still fails after Lambda's own retries is kept
there (with the error), not dropped. Built here, with the function, so that no event-triggered function can go
without it; the stack alarms on the queue. Scheduled functions are invoked asynchronously too, but with no payload
to keep: the next run does their work, and their failures are alarmed as errors."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions import manifest
from infra.constructs.database import Database
from infra.nag import UNSCOPABLE_ACTIONS, acknowledge, acknowledge_managed_policy, acknowledge_resource_wildcard

RUNTIME = lambda_.Runtime.PYTHON_3_14  # infra.layer.PYTHON_VERSION builds the deps layer for it
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
ASYNC_EVENT_TRIGGERS = (manifest.EventTrigger,)
# Lambda's retries of a failed asynchronous invocation (its maximum), and how long an event may wait for one.
ASYNC_RETRY_ATTEMPTS = 2
ASYNC_MAX_EVENT_AGE = Duration.hours(6)
FAILED_EVENT_RETENTION = Duration.days(14)


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        code_dir: Path,
        core_layer_dir: Path,
        deps_layer_dir: Path,
        environment: dict[str, str],
        failed_events_queue_name: str,
        network: tuple[ec2.IVpc, ec2.ISecurityGroup],
        database: Database,
        jwt_secret: secretsmanager.ISecret,
    ) -> None:
        super().__init__(scope, id)
        self.code = lambda_.Code.from_asset(str(code_dir))
        self.core_layer = lambda_.LayerVersion(
            self,
            "CoreLayer",
            code=lambda_.Code.from_asset(str(core_layer_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="masteria: the domain shared by every function",
        )
        self.deps_layer = lambda_.LayerVersion(
            self,
            "DepsLayer",
            code=lambda_.Code.from_asset(str(deps_layer_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="Runtime dependencies from uv.lock (make layer)",
        )
        self._environment = environment
        self._vpc, self._security_group = network
        self._database = database
        self._jwt_secret = jwt_secret
        # Lambda's on-failure records (the event, the error, the attempts) of event-triggered functions.
        self.failed_events = sqs.Queue(
            self,
            "FailedEvents",
            queue_name=failed_events_queue_name,
            retention_period=FAILED_EVENT_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        acknowledge(self.failed_events, "AwsSolutions-SQS3", "This is a dead-letter queue; alarmed when not empty")
        self.functions: dict[str, lambda_.Function] = {}
        for spec in manifest.FUNCTIONS:
            self.functions[spec.name] = self._function(spec)
        acknowledge_managed_policy(
            self, "service-role/AWSLambdaBasicExecutionRole", "AWS's execution policy: writes to its own log group"
        )
        acknowledge_managed_policy(
            self,
            "service-role/AWSLambdaVPCAccessExecutionRole",
            "AWS's policy for a function in a VPC: its network interfaces and logs",
        )
        acknowledge_resource_wildcard(self, "*", "; ".join(f"{a}: {r}" for a, r in UNSCOPABLE_ACTIONS.items()))

    def _function(self, spec: manifest.FunctionSpec) -> lambda_.Function:
        environment = {**self._environment, **spec.environment}
        in_vpc: dict[str, object] = {}
        if spec.needs_database:
            in_vpc = {
                "vpc": self._vpc,
                "vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
                "security_groups": [self._security_group],
            }
            environment["DATABASE_HOST"] = self._database.proxy.endpoint
            environment["DATABASE_APP_SECRET_ARN"] = self._database.app_secret.secret_arn
            environment["JWT_SECRET_ARN"] = self._jwt_secret.secret_arn
            if isinstance(spec.trigger, manifest.DeployTrigger):
                # Migrations run as the owner and set the application role's password.
                environment["DATABASE_SECRET_ARN"] = self._database.owner_secret.secret_arn
        function = lambda_.Function(
            self,
            spec.name,
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=self.code,
            layers=[self.core_layer, self.deps_layer],
            timeout=Duration.seconds(spec.timeout_seconds),
            memory_size=spec.memory_mb,
            reserved_concurrent_executions=spec.reserved_concurrency,
            environment=environment,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=logs.LogGroup(
                self, f"{spec.name}Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
            ),
            **in_vpc,  # type: ignore[arg-type]
        )
        if isinstance(spec.trigger, ASYNC_EVENT_TRIGGERS):
            function.configure_async_invoke(
                on_failure=destinations.SqsDestination(self.failed_events),
                retry_attempts=ASYNC_RETRY_ATTEMPTS,
                max_event_age=ASYNC_MAX_EVENT_AGE,
            )
        if spec.needs_database:
            self._database.app_secret.grant_read(function)
            self._jwt_secret.grant_read(function)
            if isinstance(spec.trigger, manifest.DeployTrigger):
                self._database.owner_secret.grant_read(function)
        return function
