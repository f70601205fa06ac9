"""CloudWatch alarms (dead-letter depth, function errors and throttles, oldest message, the database, its proxy and
the APIs) to one SNS topic, and one dashboard.

The topic is encrypted with the stack's key, whose policy lets CloudWatch use it: an alarm publishing to a topic
under a key CloudWatch may not use fails silently (and the AWS-managed ``aws/sns`` key allows no such grant)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# A message older than this on a work queue means its consumer is stuck or far behind.
OLDEST_MESSAGE_ALARM = Duration.minutes(15)
PERIOD = Duration.minutes(5)
SUSTAINED = 3  # periods in a row for a level (CPU, memory, latency) to alarm, rather than a spike
# The database: a share of its maximum capacity (Serverless v2 reports CPU and free memory against it).
DATABASE_CPU_PERCENT = 80
DATABASE_CONNECTIONS_SHARE = 0.8  # of max_connections
DATABASE_FREE_MEMORY_SHARE = 0.1  # of the memory at maximum capacity
# RDS Proxy: waiting this long (microseconds, on average) for a pooled connection means the pool is exhausted.
PROXY_BORROW_LATENCY_MICROSECONDS = 50_000
# The APIs: server errors per period (a 500 is a bug, a 503 a timeout), and a p99 latency.
API_SERVER_ERRORS = 5
API_P99_LATENCY_MS = 2500


class Monitoring(Construct):
    def __init__(self, scope: Construct, id: str, *, key: kms.IKey, dashboard_name: str, email: str | None) -> None:
        super().__init__(scope, id)
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublishToTheEncryptedTopic",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
            )
        )
        self.topic = sns.Topic(self, "Alarms", master_key=key, enforce_ssl=True)
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.alarms: list[cloudwatch.Alarm] = []
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=dashboard_name)

    def _alarm(
        self,
        id: str,
        metric: cloudwatch.Metric,
        threshold: float,
        description: str,
        *,
        periods: int = 1,
        below: bool = False,
    ) -> None:
        alarm = metric.create_alarm(
            self,
            id,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
            if below
            else cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)

    def watch_function(self, name: str, function: lambda_.IFunction) -> None:
        errors = function.metric_errors(period=Duration.minutes(5), statistic="Sum")
        throttles = function.metric_throttles(period=Duration.minutes(5), statistic="Sum")
        self._alarm(f"{name}Errors", errors, 0, f"{name}: invocations failed")
        self._alarm(f"{name}Throttles", throttles, 0, f"{name}: invocations throttled")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title=name,
                left=[function.metric_invocations(period=Duration.minutes(5)), errors, throttles],
                right=[function.metric_duration(period=Duration.minutes(5), statistic="p99")],
                width=12,
            )
        )

    def watch_queue(self, name: str, queue: sqs.IQueue, *, dead_letter: bool) -> None:
        visible = queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(1), statistic="Max")
        oldest = queue.metric_approximate_age_of_oldest_message(period=Duration.minutes(1), statistic="Max")
        if dead_letter:
            self._alarm(f"{name}Depth", visible, 0, f"{name}: messages are dead-lettered")
        else:
            self._alarm(
                f"{name}OldestMessage", oldest, OLDEST_MESSAGE_ALARM.to_seconds(), f"{name}: consumer is behind"
            )
        self.dashboard.add_widgets(cloudwatch.GraphWidget(title=name, left=[visible], right=[oldest], width=12))

    def watch_database(
        self, cluster: rds.DatabaseCluster, proxy: rds.DatabaseProxy, *, max_connections: int, max_memory_gib: float
    ) -> None:
        cpu = cluster.metric_cpu_utilization(period=PERIOD, statistic="Average")
        connections = cluster.metric_database_connections(period=PERIOD, statistic="Maximum")
        memory = cluster.metric_freeable_memory(period=PERIOD, statistic="Minimum")
        self._alarm("DatabaseCpu", cpu, DATABASE_CPU_PERCENT, "Aurora: CPU high", periods=SUSTAINED)
        self._alarm(
            "DatabaseConnections",
            connections,
            round(DATABASE_CONNECTIONS_SHARE * max_connections),
            f"Aurora: connections near max_connections ({max_connections})",
            periods=SUSTAINED,
        )
        self._alarm(
            "DatabaseFreeMemory",
            memory,
            DATABASE_FREE_MEMORY_SHARE * max_memory_gib * 2**30,
            "Aurora: little memory left even at maximum capacity",
            periods=SUSTAINED,
            below=True,
        )
        borrow = self._proxy_metric(proxy, "DatabaseConnectionsBorrowLatency", "Average")
        failed_auth = self._proxy_metric(proxy, "ClientConnectionsSetupFailedAuth", "Sum")
        client_connections = self._proxy_metric(proxy, "ClientConnections", "Maximum")
        self._alarm(
            "ProxyBorrowLatency",
            borrow,
            PROXY_BORROW_LATENCY_MICROSECONDS,
            "RDS Proxy: clients wait for a database connection (pool exhausted)",
            periods=SUSTAINED,
        )
        self._alarm(
            "ProxyFailedAuth", failed_auth, 0, "RDS Proxy: clients refused at sign-in (secret and role out of step)"
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Aurora", left=[cpu], right=[connections, memory], width=12),
            cloudwatch.GraphWidget(title="RDS Proxy", left=[client_connections, failed_auth], right=[borrow], width=12),
        )

    @staticmethod
    def _proxy_metric(proxy: rds.DatabaseProxy, name: str, statistic: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/RDS",
            metric_name=name,
            dimensions_map={"ProxyName": proxy.db_proxy_name},
            period=PERIOD,
            statistic=statistic,
        )

    def watch_http_api(self, stage: apigw.HttpStage) -> None:
        errors = stage.metric_server_error(period=PERIOD, statistic="Sum")
        latency = stage.metric_latency(period=PERIOD, statistic="p99")
        self._alarm("HttpApi5xx", errors, API_SERVER_ERRORS, "HTTP API: 5xx answers")
        self._alarm("HttpApiLatency", latency, API_P99_LATENCY_MS, "HTTP API: p99 latency high", periods=SUSTAINED)
        self.dashboard.add_widgets(cloudwatch.GraphWidget(title="HTTP API", left=[errors], right=[latency], width=12))

    def watch_websocket_api(self, api: apigw.WebSocketApi, stage: apigw.WebSocketStage) -> None:
        """WebSocket APIs publish no 5xx: errors calling the integration, and the integration's latency."""

        def metric(name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=name,
                dimensions_map={"ApiId": api.api_id, "Stage": stage.stage_name},
                period=PERIOD,
                statistic=statistic,
            )

        # IntegrationError counts the integration's 4xx too (a $connect refused for a bad token): not a fault.
        errors = metric("ExecutionError", "Sum")
        latency = metric("IntegrationLatency", "p99")
        self._alarm("WebSocketErrors", errors, API_SERVER_ERRORS, "WebSocket API: errors calling the integration")
        self._alarm(
            "WebSocketLatency", latency, API_P99_LATENCY_MS, "WebSocket API: p99 latency high", periods=SUSTAINED
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="WebSocket API", left=[errors], right=[latency], width=12)
        )
