"""The HTTP API: every ``HttpTrigger`` route of the manifest to its function, with access logs."""

from __future__ import annotations

import jsii
from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions import manifest
from infra.nag import acknowledge


@jsii.implements(apigw.IAccessLogSettings)
class AccessLogs:
    """The stage's access log settings (an interface in CDK, so implemented here)."""

    def __init__(self, destination: apigw.IAccessLogDestination) -> None:
        self._destination = destination

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> None:
        return None  # CDK's default JSON format


class HttpApi(Construct):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.api = apigw.HttpApi(self, "Api", create_default_stage=False, description="Master IA REST API and webhooks")
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        self.stage = apigw.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            auto_deploy=True,
            access_log_settings=AccessLogs(apigw.LogGroupLogDestination(access_logs)),
            throttle=apigw.ThrottleSettings(rate_limit=500, burst_limit=1000),
        )
        self.routes: list[apigw.HttpRoute] = []

    def add(self, spec: manifest.FunctionSpec, function: lambda_.IFunction) -> None:
        assert isinstance(spec.trigger, manifest.HttpTrigger)
        integration = integrations.HttpLambdaIntegration(f"{spec.name}Integration", function)
        for route in spec.trigger.routes:
            method, path = route.split(" ", 1)
            for added in self.api.add_routes(path=path, methods=[apigw.HttpMethod(method)], integration=integration):
                acknowledge(
                    added,
                    "AwsSolutions-APIG4",
                    "Authorization is in the function: the API checks JWTs per route; webhooks verify signatures",
                )
                self.routes.append(added)
