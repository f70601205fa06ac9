"""The EventBridge Scheduler group, its role, retry policy and dead-letter queue, and the recurring schedules."""

from __future__ import annotations

from aws_cdk import Arn, ArnComponents
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions import manifest
from infra.nag import acknowledge_resource_wildcard, logical_id, region_and_account

RETRY_ATTEMPTS = 3
MAX_EVENT_AGE_SECONDS = 3600


class Schedules(Construct):
    def __init__(self, scope: Construct, id: str, *, group_name: str, dead_letter_queue: sqs.IQueue) -> None:
        super().__init__(scope, id)
        self.group = scheduler.CfnScheduleGroup(self, "Group", name=group_name)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"))
        dead_letter_queue.grant_send_messages(self.role)
        self._dead_letter_queue = dead_letter_queue
        self._group_name = group_name
        self.schedules: dict[str, scheduler.CfnSchedule] = {}

    def allow_one_time(self, function: lambda_.IFunction, queues: list[sqs.IQueue]) -> None:
        """Let ``function`` create, move and delete one-time schedules (campaign starts, appointment reminders) in
        the group, which send to ``queues`` with the group's role."""
        schedules_arn = Arn.format(
            ArnComponents(service="scheduler", resource="schedule", resource_name=f"{self._group_name}/*"),
            self.group.stack,
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
                resources=[schedules_arn],
            )
        )
        self.role.grant_pass_role(function.grant_principal)
        acknowledge_resource_wildcard(
            function,
            f"arn:<AWS::Partition>:scheduler:{region_and_account(self)}:schedule/{self._group_name}/*",
            "One-time schedules are named per campaign or appointment at run time; scoped to this stack's group",
        )
        for queue in queues:
            queue.grant_send_messages(self.role)

    def add(self, spec: manifest.FunctionSpec, function: lambda_.IFunction) -> None:
        assert isinstance(spec.trigger, manifest.ScheduleTrigger)
        function.grant_invoke(self.role)
        acknowledge_resource_wildcard(
            self.role, f"<{logical_id(function)}.Arn>:*", f"Invoking {spec.name}'s versions and aliases"
        )
        schedule = scheduler.CfnSchedule(
            self,
            spec.name,
            group_name=self.group.ref,  # Ref is the name, and orders the group first
            description=spec.description,
            schedule_expression=spec.trigger.expression,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=function.function_arn,
                role_arn=self.role.role_arn,
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=RETRY_ATTEMPTS, maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS
                ),
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                    arn=self._dead_letter_queue.queue_arn
                ),
            ),
        )
        self.schedules[spec.name] = schedule
