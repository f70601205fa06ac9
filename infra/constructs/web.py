"""The dashboard on AWS: the built app in a private bucket behind CloudFront, which also routes the API paths
and ``/ws`` to the HTTP and WebSocket APIs, so the browser sees one origin (no CORS), as with ``masteria dev``."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Duration, Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.nag import acknowledge, acknowledge_resource_wildcard, logical_id

# CloudFront path patterns sent to the HTTP API; every other path is the app's.
API_PATHS = ("/v1/*", "/webhooks/*", "/openapi.json", "/docs*", "/health")
# The browser's WebSocket: the same path as on the local runtime.
WEBSOCKET_PATH = "/ws"
# Vite writes content-hashed files under assets/: cached for a year; everything else is revalidated.
HASHED_ASSETS = "assets/*"

# Viewer request on the app's behaviour: a path whose last segment has no dot is a route of the app
# (/inbox/123) and gets index.html; files (/assets/a.js, /sw.js) and API paths pass unchanged.
# Not custom error responses: those apply to the whole distribution, so an API's own 403 or 404 (another
# tenant's id answers 404 by design) would come back as index.html with 200.
SPA_FALLBACK = """\
var API_PREFIXES = %(prefixes)s;
var API_PATHS = %(exact)s;

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (API_PATHS.indexOf(uri) !== -1) {
        return request;
    }
    for (var i = 0; i < API_PREFIXES.length; i++) {
        if (uri.indexOf(API_PREFIXES[i]) === 0) {
            return request;
        }
    }
    if (uri.substring(uri.lastIndexOf("/") + 1).indexOf(".") === -1) {
        request.uri = "/index.html";
    }
    return request;
}
"""

# Viewer request on /ws: API Gateway's WebSocket endpoint answers on the stage's path alone
# (wss://{id}.execute-api.{region}.amazonaws.com/{stage}); an origin path would make it /{stage}/ws.
WEBSOCKET_TO_STAGE = """\
function handler(event) {
    var request = event.request;
    request.uri = %(stage_path)s;
    return request;
}
"""


def spa_fallback_code() -> str:
    prefixes = [p.rstrip("*") for p in API_PATHS if p.endswith("*")]
    exact = [p for p in API_PATHS if not p.endswith("*")] + [WEBSOCKET_PATH]
    return SPA_FALLBACK % {"prefixes": json.dumps(prefixes), "exact": json.dumps(exact)}


def websocket_to_stage_code(stage_name: str) -> str:
    return WEBSOCKET_TO_STAGE % {"stage_path": json.dumps(f"/{stage_name}")}


def _domain(endpoint: str) -> str:
    """``example.com`` of ``https://example.com`` (or ``wss://``), as a CloudFormation expression."""
    return Fn.select(2, Fn.split("/", endpoint))


class Dashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        app_dir: Path,
        http_api: apigw.HttpApi,
        websocket_stage: apigw.WebSocketStage,
        content_security_policy: str,
    ) -> None:
        super().__init__(scope, id)
        # The app bucket's server access logs are let in by the log bucket's policy, not by its legacy ACL.
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        # The front door's access logs: CloudFront's (the viewers' addresses; the API stages see only CloudFront's)
        # and the app bucket's. CloudFront writes its logs with an ACL, hence object-writer ownership; SSE-S3 is
        # the encryption both deliveries support.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(90))],
        )
        acknowledge(
            self.access_logs,
            "AwsSolutions-S1",
            "This is the access-log bucket: logging it into itself would log every log delivery",
        )
        self.bucket = s3.Bucket(
            self,
            "AppBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            # SSE-S3: CloudFront's origin access control reads it with no key policy to keep in step.
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="app-bucket/",
            lifecycle_rules=[
                s3.LifecycleRule(id="abandoned-uploads", abort_incomplete_multipart_upload_after=Duration.days(1))
            ],
        )

        app = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        api = origins.HttpOrigin(
            _domain(http_api.api_endpoint),
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        assert not Token.is_unresolved(websocket_stage.stage_name), "the stage name is written into a function"
        websocket = origins.HttpOrigin(
            _domain(websocket_stage.api.api_endpoint),
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        self.spa_fallback = cloudfront.Function(
            self,
            "SpaFallback",
            code=cloudfront.FunctionCode.from_inline(spa_fallback_code()),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Routes of the dashboard get index.html; files and API paths pass",
        )
        self.websocket_to_stage = cloudfront.Function(
            self,
            "WebSocketToStage",
            code=cloudfront.FunctionCode.from_inline(websocket_to_stage_code(websocket_stage.stage_name)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment=f"{WEBSOCKET_PATH} is the WebSocket API's stage",
        )
        self.security_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Master IA dashboard: HSTS, CSP, nosniff, no framing, referrer",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, override=True
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
            ),
        )
        # The APIs: nothing cached, every method, every viewer header (Authorization, cookies, Origin,
        # Sec-WebSocket-*) and query string except Host, which API Gateway needs to be its own domain.
        to_api = cloudfront.BehaviorOptions(
            origin=api,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            compress=False,
        )
        behaviors = dict.fromkeys(API_PATHS, to_api)
        behaviors[WEBSOCKET_PATH] = cloudfront.BehaviorOptions(
            origin=websocket,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            compress=False,
            function_associations=[
                cloudfront.FunctionAssociation(
                    function=self.websocket_to_stage, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                )
            ],
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Master IA: the dashboard, /v1, /webhooks and /ws on one origin",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=app,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.security_headers,
                compress=True,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.spa_fallback, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors=behaviors,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            # The customers are in Brazil: South America's edges are only in the "All" price class.
            price_class=cloudfront.PriceClass.PRICE_CLASS_ALL,
            enable_logging=True,
            log_bucket=self.access_logs,
            log_file_prefix="cloudfront/",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "No custom domain: on CloudFront's default *.cloudfront.net certificate the viewer TLS policy cannot be "
            "raised above TLSv1 (a custom domain with an ACM certificate would allow TLSv1.2_2021)",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "No geo restriction: companies and their customers may be anywhere, and Meta's webhooks come from "
            "Meta's servers worldwide",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "No WAF web ACL: at least $5 a month plus $1 per rule, where the dashboard costs nothing at idle; the API "
            "throttles (500/s, burst 1000), locks out an account after failed logins, and webhooks verify signatures. "
            "A web ACL (created in us-east-1) can be attached with web_acl_id",
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"

        # Two deployments of one build: content-hashed assets kept (a tab opened before a deploy still
        # loads its chunks), then the rest, revalidated on every load, pruned of what the build no longer has.
        # `aws s3 sync --delete` leaves excluded keys alone, so the second never deletes assets/.
        build = s3_assets.Asset(self, "Build", path=str(app_dir))
        source = s3deploy.Source.bucket(build.bucket, build.s3_object_key)
        deployment_logs = logs.LogGroup(
            self, "DeploymentLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        role = self._deployment_role(build, deployment_logs)
        assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            destination_bucket=self.bucket,
            sources=[source],
            exclude=["*"],
            include=[HASHED_ASSETS],
            prune=False,
            cache_control=[
                s3deploy.CacheControl.set_public(),
                s3deploy.CacheControl.max_age(Duration.days(365)),
                s3deploy.CacheControl.immutable(),
            ],
            memory_limit=512,
            log_group=deployment_logs,
            output_object_keys=False,
            role=role.without_policy_updates(),
        )
        shell = s3deploy.BucketDeployment(
            self,
            "Shell",
            destination_bucket=self.bucket,
            sources=[source],
            exclude=[HASHED_ASSETS],
            prune=True,
            cache_control=[s3deploy.CacheControl.no_cache()],
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=512,
            log_group=deployment_logs,
            output_object_keys=False,
            role=role.without_policy_updates(),
        )
        # Both run on one handler function (CDK's singleton, the first deployment's CLI layer): the
        # second deployment's own copy of the layer would be an unused resource.
        shell.node.try_remove_child("AwsCliLayer")
        for deployment in (assets, shell):
            deployment.node.add_dependency(role)  # its policy is in place before the handler runs
        shell.node.add_dependency(assets)  # index.html never points at chunks not yet uploaded
        self.deployments = (assets, shell)
        for handler in Stack.of(self).node.children:
            if handler.node.id.startswith("Custom::CDKBucketDeployment"):
                acknowledge(
                    handler,
                    "AwsSolutions-L1",
                    "CDK's bucket deployment handler: aws-cdk-lib chooses its Python runtime and moves it forward",
                )

    def _deployment_role(self, build: s3_assets.Asset, logs_group: logs.LogGroup) -> iam.Role:
        """The publishing function's own role, instead of CDK's grants (invalidations on every distribution,
        read on every asset): this build's archive, this bucket, this distribution's invalidations, its logs."""
        role = iam.Role(
            self,
            "DeploymentRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Publishes the dashboard's build to its bucket and invalidates the distribution",
        )
        logs_group.grant_write(role)
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[build.bucket.arn_for_objects(build.s3_object_key)])
        )
        role.add_to_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn]))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                resources=[self.bucket.arn_for_objects("*")],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
                resources=[self.distribution.distribution_arn],
            )
        )
        acknowledge_resource_wildcard(
            role,
            f"<{logical_id(self.bucket)}.Arn>/*",
            "Publishing the build: any key of the dashboard's bucket (the build's file names change on every build)",
        )
        return role
