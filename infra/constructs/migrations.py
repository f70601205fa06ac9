"""The deploy step: a custom resource that invokes the manifest's ``DeployTrigger`` function on every deploy."""

from __future__ import annotations

from aws_cdk import CustomResource
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from functions import manifest
from infra.nag import acknowledge_managed_policy, acknowledge_resource_wildcard, logical_id


class Migrations(Construct):
    def __init__(self, scope: Construct, id: str, *, revision: str) -> None:
        super().__init__(scope, id)
        self._revision = revision
        self.resources: dict[str, CustomResource] = {}

    def add(self, spec: manifest.FunctionSpec, function: lambda_.IFunction) -> None:
        assert isinstance(spec.trigger, manifest.DeployTrigger)
        provider = cr.Provider(
            self,
            f"{spec.name}Provider",
            on_event_handler=function,
            log_group=logs.LogGroup(self, f"{spec.name}ProviderLogs", retention=logs.RetentionDays.ONE_MONTH),
        )
        acknowledge_managed_policy(
            provider, "service-role/AWSLambdaBasicExecutionRole", "CDK's provider framework: writes to its log group"
        )
        acknowledge_resource_wildcard(
            provider, f"<{logical_id(function)}.Arn>:*", "Invoking the migrate function's versions and aliases"
        )
        # A new revision on every deploy (make deploy passes a deploy id) makes CloudFormation send an Update.
        self.resources[spec.name] = CustomResource(
            self,
            spec.name,
            service_token=provider.service_token,
            resource_type="Custom::Migrations",
            properties={"Revision": self._revision},
        )
