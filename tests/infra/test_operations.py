"""Operations on AWS: alarms that can notify, failed events kept, Meta's webhook sized from the send rate, and
two environments side by side in one account (issue 15, points 18 to 21)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from cdk_nag import AwsSolutionsChecks

from functions import manifest
from infra.app import add_stack
from tests.infra.conftest import Synth
from tests.infra.test_app import as_list, function_id, logical_id, refers_to

ACCOUNT = cdk.Environment(account="123456789012", region="sa-east-1")
# Names that are not physical names of their own: scoped to the resource that holds them, or AWS's defaults.
SCOPED_NAME_KEYS = {
    ("AWS::IAM::Policy", ".PolicyName"),  # an inline policy's name, inside its role
    ("AWS::DynamoDB::Table", ".AttributeDefinitions[].AttributeName"),
    ("AWS::DynamoDB::Table", ".KeySchema[].AttributeName"),
    ("AWS::DynamoDB::Table", ".GlobalSecondaryIndexes[].IndexName"),
    ("AWS::DynamoDB::Table", ".GlobalSecondaryIndexes[].KeySchema[].AttributeName"),
    ("AWS::DynamoDB::Table", ".TimeToLiveSpecification.AttributeName"),
    ("AWS::RDS::DBCluster", ".DatabaseName"),  # inside the cluster
    ("AWS::RDS::DBCluster", ".DBClusterParameterGroupName"),  # AWS's default group, shared by design
    ("AWS::RDS::DBProxyTargetGroup", ".TargetGroupName"),  # "default", inside its proxy
    ("AWS::ApiGatewayV2::Stage", ".StageName"),  # inside its API
    ("AWS::CloudWatch::Alarm", ".MetricName"),
    ("AWS::CloudWatch::Alarm", ".Dimensions[].Name"),
    ("AWS::CloudWatch::Alarm", ".Metrics[].MetricStat.Metric.MetricName"),
    ("AWS::CloudWatch::Alarm", ".Metrics[].MetricStat.Metric.Dimensions[].Name"),
    ("AWS::ECS::Cluster", ".ClusterSettings[].Name"),
    ("AWS::ECS::TaskDefinition", ".ContainerDefinitions[].Name"),  # inside its task definition
    ("AWS::ECS::TaskDefinition", ".ContainerDefinitions[].Environment[].Name"),
}


def resource_of(synth: Synth, path: str) -> dict[str, Any]:
    resource: dict[str, Any] = synth.template["Resources"][logical_id(synth, path)]
    return resource


def alarms(synth: Synth) -> list[dict[str, Any]]:
    return [a["Properties"] for a in synth.resources("AWS::CloudWatch::Alarm").values()]


def dimension(alarm: dict[str, Any], name: str) -> Any:
    [value] = [d["Value"] for d in alarm.get("Dimensions", []) if d["Name"] == name]
    return value


def alarms_on(synth: Synth, namespace: str, metric: str) -> list[dict[str, Any]]:
    return [a for a in alarms(synth) if a.get("Namespace") == namespace and a.get("MetricName") == metric]


# --- 18: alarms can notify, and cover the database, its proxy and the APIs ------------------------------------


def test_the_alarm_topics_key_lets_cloudwatch_publish(synth: Synth) -> None:
    topic = resource_of(synth, "Monitoring/Alarms/Resource")["Properties"]
    key_id = topic["KmsMasterKeyId"]
    assert "alias/aws/sns" not in json.dumps(key_id)  # CloudWatch cannot use the AWS-managed key
    [key_logical] = [k for k in synth.resources("AWS::KMS::Key") if refers_to(key_id, k)]
    statements = synth.template["Resources"][key_logical]["Properties"]["KeyPolicy"]["Statement"]
    granted: set[str] = set()
    for statement in statements:
        services = as_list(statement.get("Principal", {}).get("Service", []))
        if statement["Effect"] == "Allow" and "cloudwatch.amazonaws.com" in services:
            assert "Condition" not in statement or "kms:ViaService" not in json.dumps(statement["Condition"])
            granted |= set(as_list(statement["Action"]))
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= granted or "kms:*" in granted, granted
    topic_logical = logical_id(synth, "Monitoring/Alarms/Resource")
    for alarm in alarms(synth):
        assert any(refers_to(action, topic_logical) for action in alarm["AlarmActions"]), alarm["AlarmDescription"]


def test_aurora_its_proxy_and_both_apis_are_alarmed(synth: Synth) -> None:
    cluster = logical_id(synth, "Database/Cluster/Resource")
    for metric in ("CPUUtilization", "DatabaseConnections", "FreeableMemory"):
        [alarm] = alarms_on(synth, "AWS/RDS", metric)
        assert refers_to(dimension(alarm, "DBClusterIdentifier"), cluster), metric
    [memory] = alarms_on(synth, "AWS/RDS", "FreeableMemory")
    assert memory["ComparisonOperator"] == "LessThanThreshold"
    [connections] = alarms_on(synth, "AWS/RDS", "DatabaseConnections")
    assert 0 < connections["Threshold"] < 5000  # a share of max_connections, which Aurora caps at 5000

    [proxy] = synth.resources("AWS::RDS::DBProxy")  # its Ref is its name
    for metric in ("DatabaseConnectionsBorrowLatency", "ClientConnectionsSetupFailedAuth"):
        [alarm] = alarms_on(synth, "AWS/RDS", metric)
        assert dimension(alarm, "ProxyName") == {"Ref": proxy}, metric

    http = logical_id(synth, "Http/Api/Resource")
    for metric in ("5xx", "Latency"):
        [alarm] = alarms_on(synth, "AWS/ApiGateway", metric)
        assert refers_to(dimension(alarm, "ApiId"), http), metric
        assert dimension(alarm, "Stage") == resource_of(synth, "Http/Stage/Resource")["Properties"]["StageName"]
    websocket = logical_id(synth, "WebSocket/Api/Resource")
    for metric in ("ExecutionError", "IntegrationLatency"):
        [alarm] = alarms_on(synth, "AWS/ApiGateway", metric)
        assert refers_to(dimension(alarm, "ApiId"), websocket), metric
        assert dimension(alarm, "Stage") == "live"


# --- 19: an event that fails Lambda's retries is kept ----------------------------------------------------------


def event_triggered_functions(synth: Synth) -> set[str]:
    """Every function an EventBridge rule targets, read from the template (a future one included)."""
    functions = synth.resources("AWS::Lambda::Function")
    return {
        logical
        for rule in synth.resources("AWS::Events::Rule").values()
        for target in rule["Properties"]["Targets"]
        for logical in functions
        if refers_to(target["Arn"], logical)
    }


def test_every_event_triggered_function_keeps_its_failed_events_in_an_alarmed_queue(synth: Synth) -> None:
    triggered = event_triggered_functions(synth)
    assert {function_id(synth, "webhooks_fanout"), function_id(synth, "realtime_push")} <= triggered
    assert len(triggered) == len(manifest.event_consumers())
    configs = synth.resources("AWS::Lambda::EventInvokeConfig").values()
    queues = synth.resources("AWS::SQS::Queue")
    depth_alarms = alarms_on(synth, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    policies = synth.resources("AWS::IAM::Policy").values()
    for function in triggered:
        [config] = [c["Properties"] for c in configs if refers_to(c["Properties"]["FunctionName"], function)]
        assert config["MaximumRetryAttempts"] >= 1
        destination = config["DestinationConfig"]["OnFailure"]["Destination"]
        [queue] = [q for q in queues if refers_to(destination, q)]
        assert queues[queue]["Properties"]["MessageRetentionPeriod"] >= 7 * 24 * 3600
        [alarm] = [a for a in depth_alarms if refers_to(dimension(a, "QueueName"), queue)]
        assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
        role = synth.template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
        assert any(
            refers_to(p["Properties"]["Roles"], role)
            and any(
                "sqs:SendMessage" in as_list(s["Action"]) and refers_to(s["Resource"], queue)
                for s in p["Properties"]["PolicyDocument"]["Statement"]
            )
            for p in policies
        ), "the function may send its failures to the queue"


# --- 20: the webhooks (Meta's, SMS's) have their own throttle, and the processor keeps up with it -------------------


def webhook_figures(synth: Synth) -> tuple[dict[str, Any], dict[str, Any], int]:
    stage = resource_of(synth, "Http/Stage/Resource")["Properties"]
    [mapping] = [
        m["Properties"]
        for m in synth.resources("AWS::Lambda::EventSourceMapping").values()
        if refers_to(m["Properties"]["FunctionName"], function_id(synth, "inbound_processor"))
    ]
    return stage["RouteSettings"], stage["DefaultRouteSettings"], mapping["ScalingConfig"]["MaximumConcurrency"]


def test_the_webhook_routes_have_their_own_throttle_and_the_processor_follows_the_send_rate(synth: Synth) -> None:
    routes, rest, concurrency = webhook_figures(synth)
    webhooks: list[str] = []
    for name in ("meta_webhook", "sms_webhook"):  # Meta's and SNS's (SMS) webhook functions
        trigger = manifest.by_name(name).trigger
        assert isinstance(trigger, manifest.HttpTrigger)
        assert trigger.routes, name
        webhooks += trigger.routes
    assert set(routes) == set(webhooks)  # the REST app's ANY /{proxy+} keeps the stage's limit
    # The default send rate, 80 messages/s: 3 * 80 status webhooks + 80 inbound = 320/s, burst 640;
    # the processor at 0.05 s a body: ceil(320 * 0.05) = 16.
    for route in webhooks:
        assert routes[route] == {"ThrottlingRateLimit": 320, "ThrottlingBurstLimit": 640}, route
    assert rest == {"ThrottlingRateLimit": 500, "ThrottlingBurstLimit": 1000}
    assert concurrency == 16


# --- 21: two environments in one account; versions and log retention -------------------------------------------


@pytest.fixture(scope="module")
def two_environments(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    """``staging`` and ``prod`` in one app, one account and region, sized for 1,000 messages/s."""
    outdir = tmp_path_factory.mktemp("cdk.two")
    app = cdk.App(
        outdir=str(outdir), context={"deps_layer": "placeholder", "web_dist": "placeholder", "send_rate": 1000}
    )
    stacks = [add_stack(app, name, ACCOUNT) for name in ("staging", "prod")]
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()  # raises on an unacknowledged cdk-nag finding
    yield [json.loads((Path(assembly.directory) / f"{s.stack_name}.template.json").read_text()) for s in stacks]


def literal(value: Any) -> str | None:
    """A name written into the template: a string, or a join of strings and pseudo parameters (the account,
    the region); None for a name CloudFormation generates or takes from another resource."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        resolved = [
            p if isinstance(p, str) else p.get("Ref") if str(p.get("Ref", "")).startswith("AWS::") else None
            for p in parts
        ]
        if all(isinstance(p, str) for p in resolved):
            return str(separator).join(str(p) for p in resolved)
    return None


def explicit_names(template: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(resource type, property path, name) of every ``…Name`` or ``…Identifier`` property with a literal value."""
    found: set[tuple[str, str, str]] = set()

    def walk(type_: str, value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                name = literal(inner) if key.endswith(("Name", "Identifier")) else None
                if name is not None:
                    found.add((type_, f"{path}.{key}", name))
                walk(type_, inner, f"{path}.{key}")
        elif isinstance(value, list):
            for inner in value:
                walk(type_, inner, f"{path}[]")

    for resource in template["Resources"].values():
        walk(resource["Type"], resource.get("Properties", {}), "")
    return found


def test_two_environments_in_one_account_share_no_explicit_name(two_environments: list[dict[str, Any]]) -> None:
    staging, prod = (explicit_names(t) for t in two_environments)
    physical = {(t, p) for t, p, _ in staging} - SCOPED_NAME_KEYS
    assert {"AWS::SQS::Queue", "AWS::RDS::DBProxy", "AWS::Events::EventBus", "AWS::ApiGatewayV2::Api"} <= {
        t for t, _ in physical
    }
    shared = {(t, p, n) for t, p, n in staging & prod if (t, p) not in SCOPED_NAME_KEYS}
    assert shared == set()
    for type_, path, name in staging:
        if (type_, path) in {("AWS::SQS::Queue", ".QueueName"), ("AWS::RDS::DBProxy", ".DBProxyName")}:
            assert "staging" in name, name


def test_the_send_rate_setting_sizes_the_webhook_throttle_and_the_processor(
    two_environments: list[dict[str, Any]],
) -> None:
    for template in two_environments:
        [stage] = [
            r["Properties"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::ApiGatewayV2::Stage" and "RouteSettings" in r["Properties"]
        ]
        # 1,000 messages/s: 3,000 status webhooks + 1,000 inbound; the processor ceil(4,000 * 0.05) = 200
        assert {s["ThrottlingRateLimit"] for s in stage["RouteSettings"].values()} == {4000}
        assert {s["ThrottlingBurstLimit"] for s in stage["RouteSettings"].values()} == {8000}
        concurrency = sorted(
            r["Properties"]["ScalingConfig"]["MaximumConcurrency"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::Lambda::EventSourceMapping"
        )
        assert concurrency[-1] == math.ceil(4000 * 0.05) == 200


def test_media_bucket_keeps_old_versions_for_a_while_only(synth: Synth) -> None:
    props = resource_of(synth, "Storage/MediaBucket/Resource")["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = props["LifecycleConfiguration"]["Rules"]
    [catch_all] = [r for r in rules if "NoncurrentVersionExpiration" in r and "Prefix" not in r]
    assert 0 < catch_all["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 90
    assert catch_all["ExpiredObjectDeleteMarker"] is True
    for rule in rules:
        if "ExpirationInDays" in rule:  # working files: their old versions go soon after them
            assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 7, rule["Id"]


def test_auroras_log_group_has_a_retention_and_exists_before_the_writer(synth: Synth) -> None:
    cluster = logical_id(synth, "Database/Cluster/Resource")
    group_logical = logical_id(synth, "Database/PostgresqlLogs/Resource")
    group = synth.template["Resources"][group_logical]
    assert group["Properties"]["RetentionInDays"] > 0
    assert refers_to(group["Properties"]["LogGroupName"], cluster)
    assert json.dumps(group["Properties"]["LogGroupName"]).endswith('"/postgresql"]]}')
    cluster_props = synth.template["Resources"][cluster]["Properties"]
    assert cluster_props["EnableCloudwatchLogsExports"] == ["postgresql"]
    [writer] = synth.resources("AWS::RDS::DBInstance").values()
    assert group_logical in writer["DependsOn"]
