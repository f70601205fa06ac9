"""The WebSocket API: every ``WebSocketTrigger`` route of the manifest to its function, one stage with access
logs and throttling; the push consumer may post to this API's connections only."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions import manifest
from infra.constructs.http_api import AccessLogs
from infra.nag import acknowledge

STAGE = "live"


class WebSocketApi(Construct):
    def __init__(self, scope: Construct, id: str, *, api_name: str) -> None:
        super().__init__(scope, id)
        # Client frames carry "action"; no route is named after one, so every frame reaches $default.
        self.api = apigw.WebSocketApi(
            self,
            "Api",
            api_name=api_name,
            description="Master IA live updates",
            route_selection_expression="$request.body.action",
        )
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        self.stage = apigw.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=STAGE,
            auto_deploy=True,
            access_log_settings=AccessLogs(apigw.LogGroupLogDestination(access_logs)),
            throttle=apigw.ThrottleSettings(rate_limit=500, burst_limit=1000),
        )
        self.routes: list[apigw.WebSocketRoute] = []

    def add(self, spec: manifest.FunctionSpec, function: lambda_.IFunction) -> None:
        assert isinstance(spec.trigger, manifest.WebSocketTrigger)
        integration = integrations.WebSocketLambdaIntegration(f"{spec.name}Integration", function)
        for route in spec.trigger.routes:
            # $default answers each client frame with one reply frame: the integration's response.
            added = self.api.add_route(route, integration=integration, return_response=route == "$default")
            acknowledge(
                added,
                "AwsSolutions-APIG4",
                "$connect checks the access token in the function (query parameter or Sec-WebSocket-Protocol); "
                "the other routes exist only on a connection $connect accepted",
            )
            self.routes.append(added)

    def grant_post(self, function: lambda_.IFunction) -> None:
        """``execute-api:ManageConnections`` on this API's stage only, and its connection URL."""
        self.stage.grant_management_api_access(function)
        if isinstance(function, lambda_.Function):
            function.add_environment("REALTIME_ENDPOINT", self.stage.callback_url)
