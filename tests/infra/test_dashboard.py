"""The dashboard on AWS: one CloudFront origin for the app (private bucket), the HTTP API and the WebSocket API."""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest

from functions import manifest
from functions.web_security import DASHBOARD_CONTENT_SECURITY_POLICY, with_connect_sources
from infra import assets
from infra.constructs.web import API_PATHS, HASHED_ASSETS, WEBSOCKET_PATH
from infra.constructs.websocket_api import STAGE
from tests.infra.conftest import Synth
from tests.infra.test_app import as_list, function_id, logical_id, refers_to, statements

# CloudFront's managed policies (their ids are fixed by AWS).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}


def distribution(synth: Synth) -> dict[str, Any]:
    config: dict[str, Any] = synth.template["Resources"][logical_id(synth, "Dashboard/Distribution/Resource")][
        "Properties"
    ]["DistributionConfig"]
    return config


def joined(value: Any) -> str:
    """A CloudFormation string (a literal, or a join of literals and ``Ref``s), the refs as ``<Name>``."""
    if isinstance(value, str):
        return value
    separator, parts = value["Fn::Join"]
    return str(separator).join(p if isinstance(p, str) else f"<{p['Ref']}>" for p in parts)


def test_the_dashboard_may_send_files_to_the_media_buckets_presigned_urls_and_abandoned_ones_expire(
    synth: Synth,
) -> None:
    media = synth.template["Resources"][logical_id(synth, "Storage/MediaBucket/Resource")]["Properties"]
    [rule] = media["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["PUT"] and rule["AllowedHeaders"] == ["*"]
    [origin] = rule["AllowedOrigins"]  # the dashboard's own origin, nothing else
    assert refers_to(origin, logical_id(synth, "Dashboard/Distribution/Resource")) and "https://" in json.dumps(origin)
    [uploads] = [r for r in media["LifecycleConfiguration"]["Rules"] if r.get("Prefix") == "uploads/"]
    assert uploads["ExpirationInDays"] == 1 and uploads["Status"] == "Enabled"


def origin_of(synth: Synth, behavior: dict[str, Any]) -> dict[str, Any]:
    [origin] = [o for o in distribution(synth)["Origins"] if o["Id"] == behavior["TargetOriginId"]]
    return origin


def behaviors(synth: Synth) -> dict[str, dict[str, Any]]:
    return {b["PathPattern"]: b for b in distribution(synth)["CacheBehaviors"]}


def function_code(synth: Synth, path: str) -> str:
    code: str = synth.template["Resources"][logical_id(synth, path)]["Properties"]["FunctionCode"]
    return code


def run_viewer_request(code: str, uris: list[str]) -> dict[str, str]:
    """Each URI through a CloudFront Function's handler, evaluated by Node: {uri in: uri out}."""
    node = shutil.which("node")
    assert node, "Node is needed (the CDK needs it too)"
    script = (
        code
        + "\nconst out = {};\n"
        + "for (const uri of JSON.parse(process.argv[1])) {\n"
        + "  out[uri] = handler({request: {uri: uri, method: 'GET', headers: {}, querystring: {}}}).uri;\n"
        + "}\nconsole.log(JSON.stringify(out));\n"
    )
    result = subprocess.run([node, "-e", script, json.dumps(uris)], capture_output=True, text=True, check=True)
    answer: dict[str, str] = json.loads(result.stdout)
    return answer


def test_the_app_bucket_is_private_encrypted_ssl_only_logged_and_read_by_cloudfront_through_oac(synth: Synth) -> None:
    bucket = logical_id(synth, "Dashboard/AppBucket/Resource")
    props = synth.template["Resources"][bucket]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert refers_to(
        props["LoggingConfiguration"]["DestinationBucketName"], logical_id(synth, "Dashboard/AccessLogs/Resource")
    )
    [policy] = [
        p for p in synth.resources("AWS::S3::BucketPolicy").values() if refers_to(p["Properties"]["Bucket"], bucket)
    ]
    found = policy["Properties"]["PolicyDocument"]["Statement"]
    [deny] = [s for s in found if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    [allow] = [s for s in found if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert refers_to(
        allow["Condition"]["StringEquals"]["AWS:SourceArn"], logical_id(synth, "Dashboard/Distribution/Resource")
    )
    app = origin_of(synth, distribution(synth)["DefaultCacheBehavior"])
    assert refers_to(app["DomainName"], bucket)
    assert refers_to(
        app["OriginAccessControlId"], logical_id(synth, "Dashboard/Distribution/Origin1/S3OriginAccessControl/Resource")
    )
    assert app["S3OriginConfig"]["OriginAccessIdentity"] == ""  # origin access control, no legacy identity
    assert not synth.resources("AWS::CloudFront::CloudFrontOriginAccessIdentity")


def test_access_logs_land_in_a_private_ssl_only_bucket_that_expires_them(synth: Synth) -> None:
    logs = logical_id(synth, "Dashboard/AccessLogs/Resource")
    props = synth.template["Resources"][logs]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert "AccessControl" not in props  # S3's log delivery is let in by the bucket policy, not a legacy ACL
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "ObjectWriter"}]  # CloudFront's logs need ACLs
    assert [r["ExpirationInDays"] for r in props["LifecycleConfiguration"]["Rules"]] == [90]
    [policy] = [
        p for p in synth.resources("AWS::S3::BucketPolicy").values() if refers_to(p["Properties"]["Bucket"], logs)
    ]
    found = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in found)
    [delivery] = [s for s in found if s["Effect"] == "Allow"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert refers_to(
        delivery["Condition"]["ArnLike"]["aws:SourceArn"], logical_id(synth, "Dashboard/AppBucket/Resource")
    )
    assert distribution(synth)["Logging"]["Prefix"] == "cloudfront/"


def test_api_paths_go_to_the_http_api_uncached_with_every_method_and_viewer_header_but_host(synth: Synth) -> None:
    api = logical_id(synth, "Http/Api/Resource")
    found = behaviors(synth)
    assert {"/v1/*", "/webhooks/*", "/openapi.json", "/docs*", "/health"} <= set(API_PATHS)
    for path in API_PATHS:
        behavior = found[path]
        assert behavior["CachePolicyId"] == CACHING_DISABLED, path
        assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER, path
        assert set(behavior["AllowedMethods"]) == ALL_METHODS, path
        assert behavior["ViewerProtocolPolicy"] == "https-only", path
        assert "ResponseHeadersPolicyId" not in behavior, path  # the API's own headers (/docs sends its own)
        origin = origin_of(synth, behavior)
        assert refers_to(origin["DomainName"], api), path
        assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
        assert "OriginPath" not in origin  # the HTTP API's $default stage has no path


def test_ws_goes_to_the_websocket_stage_uncached_with_the_handshake_headers(synth: Synth) -> None:
    behavior = behaviors(synth)[WEBSOCKET_PATH]
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    # Sec-WebSocket-Protocol (the access token), -Key, -Version and ?token= all reach $connect:
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    origin = origin_of(synth, behavior)
    assert refers_to(origin["DomainName"], logical_id(synth, "WebSocket/Api/Resource"))
    [association] = behavior["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert refers_to(association["FunctionARN"], logical_id(synth, "Dashboard/WebSocketToStage/Resource"))
    code = function_code(synth, "Dashboard/WebSocketToStage/Resource")
    assert run_viewer_request(code, [WEBSOCKET_PATH]) == {WEBSOCKET_PATH: f"/{STAGE}"}


def test_the_app_behaviour_serves_index_html_with_the_security_headers_and_the_backends_csp(synth: Synth) -> None:
    config = distribution(synth)
    assert config["DefaultRootObject"] == "index.html"
    assert "CustomErrorResponses" not in config  # they would turn the API's 403 and 404 into index.html
    default = config["DefaultCacheBehavior"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    policy = logical_id(synth, "Dashboard/SecurityHeaders/Resource")
    assert refers_to(default["ResponseHeadersPolicyId"], policy)
    headers = synth.template["Resources"][policy]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    # the backend's policy, and on AWS the media bucket's regional host for the large files sent to it
    uploads = "https://*.s3.<AWS::Region>.<AWS::URLSuffix>"
    assert headers["ContentSecurityPolicy"]["Override"] is True
    assert joined(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]) == with_connect_sources(
        DASHBOARD_CONTENT_SECURITY_POLICY, uploads
    )
    assert "connect-src 'self' ws: wss: https://*.s3.<AWS::Region>.<AWS::URLSuffix>;" in with_connect_sources(
        DASHBOARD_CONTENT_SECURITY_POLICY, uploads
    )
    assert "unsafe-inline" not in DASHBOARD_CONTENT_SECURITY_POLICY.split("script-src", 1)[1].split(";", 1)[0]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert refers_to(config["Logging"]["Bucket"], logical_id(synth, "Dashboard/AccessLogs/Resource"))


def test_spa_fallback_gives_app_routes_index_html_and_leaves_files_and_api_paths_alone(synth: Synth) -> None:
    [association] = distribution(synth)["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert refers_to(association["FunctionARN"], logical_id(synth, "Dashboard/SpaFallback/Resource"))
    routes = ["/", "/inbox/123", "/inbox", "/campaigns/3fa85f64/recipients", "/settings/"]
    files = ["/assets/a.js", "/assets/index-DiwrgTda.css", "/sw.js", "/manifest.webmanifest", "/icons/icon-192.png"]
    api = [
        "/v1/x",
        "/v1/contacts/123",
        "/webhooks/meta/key",
        "/ws",
        "/health",
        "/openapi.json",
        "/docs",
        "/docs/assets/init.js",
    ]
    answer = run_viewer_request(function_code(synth, "Dashboard/SpaFallback/Resource"), routes + files + api)
    assert {uri: answer[uri] for uri in routes} == dict.fromkeys(routes, "/index.html")
    assert {uri: answer[uri] for uri in files + api} == {uri: uri for uri in files + api}


def test_the_build_is_published_hashed_assets_immutable_then_the_rest_revalidated_and_invalidated(synth: Synth) -> None:
    resources = synth.template["Resources"]
    assets_id = logical_id(synth, "Dashboard/Assets/CustomResource-512MiB/Default")
    shell_id = logical_id(synth, "Dashboard/Shell/CustomResource-512MiB/Default")
    assert set(synth.resources("Custom::CDKBucketDeployment")) == {assets_id, shell_id}
    bucket = logical_id(synth, "Dashboard/AppBucket/Resource")
    hashed, shell = resources[assets_id]["Properties"], resources[shell_id]["Properties"]
    assert (hashed["Exclude"], hashed["Include"], hashed["Prune"]) == (["*"], [HASHED_ASSETS], False)
    assert "immutable" in hashed["SystemMetadata"]["cache-control"]
    assert (shell["Exclude"], shell["Prune"]) == ([HASHED_ASSETS], True)  # sync --delete spares excluded keys
    assert shell["SystemMetadata"]["cache-control"] == "no-cache"
    assert refers_to(shell["DistributionId"], logical_id(synth, "Dashboard/Distribution/Resource"))
    assert shell["DistributionPaths"] == ["/*"]
    assert assets_id in resources[shell_id]["DependsOn"]  # index.html never points at chunks not yet uploaded
    assert hashed["SourceObjectKeys"] == shell["SourceObjectKeys"]  # one build
    assert all(refers_to(p["DestinationBucketName"], bucket) for p in (hashed, shell))
    placeholder = synth.directory / ".staging" / "web-placeholder" / "index.html"
    assert "Placeholder" in placeholder.read_text()  # the tests publish no real build


def test_the_publishing_role_reaches_only_this_build_this_bucket_and_this_distribution(synth: Synth) -> None:
    role = logical_id(synth, "Dashboard/DeploymentRole/Resource")
    found = [
        s
        for logical, s in statements(synth)
        if logical == logical_id(synth, "Dashboard/DeploymentRole/DefaultPolicy/Resource")
    ]
    actions = {a for s in found for a in as_list(s["Action"])}
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "cloudfront:CreateInvalidation",
        "cloudfront:GetInvalidation",
    }
    [invalidation] = [s for s in found if "cloudfront:CreateInvalidation" in as_list(s["Action"])]
    assert refers_to(invalidation["Resource"], logical_id(synth, "Dashboard/Distribution/Resource"))
    [source] = [s for s in found if as_list(s["Action"]) == ["s3:GetObject"]]
    [key] = synth.template["Resources"][logical_id(synth, "Dashboard/Shell/CustomResource-512MiB/Default")][
        "Properties"
    ]["SourceObjectKeys"]
    resource = json.dumps(source["Resource"])
    assert f'"/{key}"' in resource and "*" not in resource  # the build's archive, not every asset
    [handler] = [
        f
        for f in synth.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == "index.handler" and refers_to(f["Properties"]["Role"], role)
    ]
    assert "ManagedPolicyArns" not in synth.template["Resources"][role]["Properties"]
    assert handler["Properties"]["LoggingConfig"]["LogGroup"]


def test_outputs_give_the_dashboard_url_and_keep_the_api_urls(synth: Synth) -> None:
    outputs = synth.template["Outputs"]
    url = outputs["DashboardUrl"]["Value"]["Fn::Join"][1]
    assert url[0] == "https://"
    assert url[1] == {"Fn::GetAtt": [logical_id(synth, "Dashboard/Distribution/Resource"), "DomainName"]}
    assert {"ApiUrl", "WebSocketUrl", "MediaBucketName"} <= set(outputs)


def test_the_api_accepts_the_dashboards_origin_for_the_refresh_cookie(synth: Synth) -> None:
    # Behind CloudFront the API sees API Gateway's Host, so its own origin is not the browser's.
    served = [spec for spec in manifest.FUNCTIONS if isinstance(spec.trigger, manifest.HttpTrigger)]
    assert "api" in {spec.name for spec in served}
    for spec in served:
        env = synth.template["Resources"][function_id(synth, spec.name)]["Properties"]["Environment"]["Variables"]
        assert env["ALLOWED_ORIGINS"] == synth.template["Outputs"]["DashboardUrl"]["Value"], spec.name


def test_web_dist_is_the_build_when_there_is_one_else_a_staged_placeholder_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN no build
    monkeypatch.setattr(assets, "WEB_DIST", tmp_path / "dist")
    # WHEN synth asks for it THEN a placeholder page is staged, with a warning
    with pytest.warns(UserWarning, match="placeholder"):
        staged = assets.web_dist(tmp_path / "staging")
    assert staged == tmp_path / "staging" / "web-placeholder"
    assert (staged / "index.html").is_file()
    # GIVEN a build
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text("<!doctype html>")
    # THEN it is published, unless the placeholder is asked for (the tests), which does not warn
    assert assets.web_dist(tmp_path / "staging") == tmp_path / "dist"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert assets.web_dist(tmp_path / "staging", placeholder=True) == staged
