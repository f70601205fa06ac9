"""CloudWatch alarms (dead-letter depth, function errors and throttles, oldest message) and one dashboard."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# A message older than this on a work queue means its consumer is stuck or far behind.
OLDEST_MESSAGE_ALARM = Duration.minutes(15)


class Monitoring(Construct):
    def __init__(self, scope: Construct, id: str, *, key: kms.IKey, dashboard_name: str, email: str | None) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(self, "Alarms", master_key=key, enforce_ssl=True)
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.alarms: list[cloudwatch.Alarm] = []
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=dashboard_name)

    def _alarm(self, id: str, metric: cloudwatch.Metric, threshold: float, description: str) -> None:
        alarm = metric.create_alarm(
            self,
            id,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
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
