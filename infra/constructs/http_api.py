"""The HTTP API: every ``HttpTrigger`` route of the manifest to its function, with access logs; the stage's
throttle is the REST API's, and routes given their own (Meta's webhooks, ``infra.capacity``) do not share it."""

from __future__ import annotations

from typing import Any

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


# The REST API's stage limit (every route without its own).
REST_RATE_LIMIT, REST_BURST_LIMIT = 500, 1000


class HttpApi(Construct):
    def __init__(self, scope: Construct, id: str, *, api_name: str) -> None:
        super().__init__(scope, id)
        self.api = apigw.HttpApi(
            self, "Api", api_name=api_name, create_default_stage=False, description="Master IA REST API and webhooks"
        )
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        self.stage = apigw.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            auto_deploy=True,
            access_log_settings=AccessLogs(apigw.LogGroupLogDestination(access_logs)),
            throttle=apigw.ThrottleSettings(rate_limit=REST_RATE_LIMIT, burst_limit=REST_BURST_LIMIT),
        )
        self.routes: list[apigw.HttpRoute] = []
        self._route_settings: dict[str, Any] = {}

    def throttle(self, spec: manifest.FunctionSpec, *, rate_limit: int, burst_limit: int) -> None:
        """Route-level throttling for ``spec``'s routes (added before): their own limits, not the stage's."""
        assert isinstance(spec.trigger, manifest.HttpTrigger)
        stage = self.stage.node.default_child
        assert isinstance(stage, apigw.CfnStage)
        for route_key in spec.trigger.routes:
            self._route_settings[route_key] = {"ThrottlingRateLimit": rate_limit, "ThrottlingBurstLimit": burst_limit}
            for route in self.routes:
                child = route.node.default_child
                if isinstance(child, apigw.CfnRoute) and child.route_key == route_key:
                    stage.node.add_dependency(child)  # a stage's route settings name routes that must exist
        stage.add_property_override("RouteSettings", self._route_settings)

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
