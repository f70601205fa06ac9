"""The synthesized stack against functions/manifest.py: one template, many properties (DESIGN.md §6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions import manifest
from functions.local.lambda_context import resolve
from infra.capacity import DEFAULT_SEND_RATE, Sizing
from infra.nag import ACKNOWLEDGED_WILDCARD_ACTIONS, UNSCOPABLE_ACTIONS
from tests.infra.conftest import Synth

STACK = "/Masteria-dev"


def logical_id(synth: Synth, path: str) -> str:
    for entry in synth.metadata[f"{STACK}/{path}"]:
        if entry["type"] == "aws:cdk:logicalId":
            return str(entry["data"])
    raise KeyError(path)


def function_id(synth: Synth, name: str) -> str:
    return logical_id(synth, f"Functions/{name}/Resource")


def refers_to(value: Any, logical: str) -> bool:
    """Whether a CloudFormation value (Ref, GetAtt, Join) points at ``logical``."""
    return f'"{logical}"' in json.dumps(value)


def statements(synth: Synth) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for logical, resource in synth.resources("AWS::IAM::Policy").items():
        found += [(logical, s) for s in resource["Properties"]["PolicyDocument"]["Statement"]]
    for logical, resource in synth.resources("AWS::IAM::Role").items():
        for policy in resource["Properties"].get("Policies", []):
            found += [(logical, s) for s in policy["PolicyDocument"]["Statement"]]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_handler_named_in_the_template_imports_from_the_staged_code(synth: Synth) -> None:
    handlers = [
        f["Properties"]["Handler"]
        for f in synth.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler", "").startswith("functions.")
    ]
    assert sorted(handlers) == sorted(spec.handler for spec in manifest.FUNCTIONS)
    staged = synth.directory / ".staging" / "functions-code"
    for handler in handlers:
        module = handler.rpartition(".")[0]
        assert (staged / (module.replace(".", "/") + ".py")).is_file(), handler
        assert callable(resolve(handler))
    assert (synth.directory / ".staging" / "core-layer" / "python" / "masteria" / "bootstrap.py").is_file()


def test_functions_are_python_on_arm64_with_both_layers_and_powertools(synth: Synth) -> None:
    for spec in manifest.FUNCTIONS:
        props = synth.template["Resources"][function_id(synth, spec.name)]["Properties"]
        assert props["Runtime"] >= "python3.12"
        assert props["Architectures"] == ["arm64"]
        assert len(props["Layers"]) == 2
        assert props["Timeout"] == spec.timeout_seconds
        assert props["MemorySize"] == spec.memory_mb
        env = props["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == "masteria"
        assert env["MASTERIA_RUNTIME"] == "aws"
        assert props["LoggingConfig"]["LogGroup"]  # its own log group, with a retention:
    for group in synth.resources("AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] > 0


def test_every_function_of_the_manifest_exists_with_its_trigger(synth: Synth) -> None:
    routes = synth.resources("AWS::ApiGatewayV2::Route")
    integrations = synth.resources("AWS::ApiGatewayV2::Integration")
    mappings = synth.resources("AWS::Lambda::EventSourceMapping")
    schedules = synth.resources("AWS::Scheduler::Schedule")
    rules = synth.resources("AWS::Events::Rule")
    for spec in manifest.FUNCTIONS:
        fn = function_id(synth, spec.name)
        trigger = spec.trigger
        if isinstance(trigger, manifest.HttpTrigger):
            mine = {k for k, i in integrations.items() if refers_to(i["Properties"]["IntegrationUri"], fn)}
            keys = {r["Properties"]["RouteKey"] for r in routes.values() if refers_to(r["Properties"]["Target"], *mine)}
            assert keys == set(trigger.routes), spec.name
        elif isinstance(trigger, manifest.WebSocketTrigger):
            api = logical_id(synth, "WebSocket/Api/Resource")
            mine = {k for k, i in integrations.items() if refers_to(i["Properties"]["IntegrationUri"], fn)}
            found = [r for r in routes.values() if refers_to(r["Properties"]["Target"], *mine)]
            assert {r["Properties"]["RouteKey"] for r in found} == set(trigger.routes), spec.name
            assert all(refers_to(r["Properties"]["ApiId"], api) for r in found), spec.name
        elif isinstance(trigger, manifest.QueueTrigger):
            queue = logical_id(synth, f"Queues/{trigger.queue}/Resource")
            [mapping] = [m for m in mappings.values() if refers_to(m["Properties"]["FunctionName"], fn)]
            assert refers_to(mapping["Properties"]["EventSourceArn"], queue)
            assert mapping["Properties"]["BatchSize"] == trigger.batch_size
            assert mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"] == Sizing(
                DEFAULT_SEND_RATE
            ).max_concurrency(spec)
        elif isinstance(trigger, manifest.ScheduleTrigger):
            [schedule] = [s for s in schedules.values() if refers_to(s["Properties"]["Target"]["Arn"], fn)]
            assert schedule["Properties"]["ScheduleExpression"] == trigger.expression
        elif isinstance(trigger, manifest.EventTrigger):
            [rule] = [r for r in rules.values() if refers_to(r["Properties"]["Targets"], fn)]
            assert rule["Properties"]["EventPattern"]["detail-type"] == list(trigger.event_types)
        elif isinstance(trigger, manifest.DeployTrigger):
            [provider] = [
                f
                for f in synth.resources("AWS::Lambda::Function").values()
                if refers_to(f["Properties"].get("Environment", {}).get("Variables", {}), fn)
                and "USER_ON_EVENT_FUNCTION_ARN" in f["Properties"]["Environment"]["Variables"]
            ]
            assert provider
            assert synth.resources("Custom::Migrations")
        else:
            pytest.fail(f"{spec.name}: unknown trigger {trigger!r}")


def test_every_event_source_mapping_reports_batch_item_failures(synth: Synth) -> None:
    mappings = synth.resources("AWS::Lambda::EventSourceMapping")
    assert len(mappings) == len(manifest.queue_consumers())
    for mapping in mappings.values():
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"] >= 2


def test_every_queue_has_a_dead_letter_queue_the_right_visibility_encryption_and_ssl_only(synth: Synth) -> None:
    queues = synth.resources("AWS::SQS::Queue")
    policies = synth.resources("AWS::SQS::QueuePolicy")
    for consumer in manifest.queue_consumers():
        assert isinstance(consumer.trigger, manifest.QueueTrigger)
        props = queues[logical_id(synth, f"Queues/{consumer.trigger.queue}/Resource")]["Properties"]
        assert props["VisibilityTimeout"] >= 6 * consumer.timeout_seconds
        redrive = props["RedrivePolicy"]
        assert redrive["maxReceiveCount"] >= 5
        dlq = logical_id(synth, f"Queues/{manifest.dead_letter_queue_name(consumer.trigger.queue)}/Resource")
        assert refers_to(redrive["deadLetterTargetArn"], dlq)
    for logical, queue in queues.items():
        assert queue["Properties"].get("SqsManagedSseEnabled") or queue["Properties"].get("KmsMasterKeyId")
        [policy] = [p for p in policies.values() if refers_to(p["Properties"]["Queues"], logical)]
        [deny] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_no_iam_wildcard_action_without_an_acknowledged_reason(synth: Synth) -> None:
    found = statements(synth)
    assert found
    for logical, statement in found:
        if statement["Effect"] != "Allow":
            continue
        actions = as_list(statement["Action"])
        for action in actions:
            if "*" in action:
                assert action in ACKNOWLEDGED_WILDCARD_ACTIONS, (logical, action)
        if "*" in as_list(statement.get("Resource", [])):
            assert set(actions) <= set(UNSCOPABLE_ACTIONS), (logical, actions)


def test_functions_without_database_have_no_vpc_and_no_database_secret(synth: Synth) -> None:
    database_secrets = [
        logical_id(synth, "Database/OwnerSecret/Resource"),
        logical_id(synth, "Database/AppSecret/Resource"),
    ]
    policies = synth.resources("AWS::IAM::Policy")
    checked = 0
    for spec in manifest.FUNCTIONS:
        props = synth.template["Resources"][function_id(synth, spec.name)]["Properties"]
        role = props["Role"]["Fn::GetAtt"][0]
        role_policies = [p for p in policies.values() if refers_to(p["Properties"]["Roles"], role)]
        reads_secret = any(refers_to(p, s) for p in role_policies for s in database_secrets)
        if spec.needs_database:
            assert "VpcConfig" in props and reads_secret, spec.name
            continue
        checked += 1
        assert "VpcConfig" not in props, spec.name
        assert not reads_secret, spec.name
        assert not any(k.startswith("DATABASE") for k in props["Environment"]["Variables"]), spec.name
    if not checked:
        pytest.skip("no function without database access in the manifest yet (the webhook dispatcher)")


def test_schedules_have_a_retry_policy_a_dead_letter_queue_and_a_group(synth: Synth) -> None:
    schedules = synth.resources("AWS::Scheduler::Schedule")
    assert len(schedules) == len(manifest.schedules())
    for schedule in schedules.values():
        target = schedule["Properties"]["Target"]
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
        assert target["DeadLetterConfig"]["Arn"]
        assert target["RoleArn"]
        assert schedule["Properties"]["GroupName"]


def test_database_is_aurora_serverless_v2_behind_a_tls_proxy_with_encrypted_storage(synth: Synth) -> None:
    [cluster] = synth.resources("AWS::RDS::DBCluster").values()
    assert cluster["Properties"]["Engine"] == "aurora-postgresql"
    assert cluster["Properties"]["StorageEncrypted"] is True
    assert cluster["Properties"]["ServerlessV2ScalingConfiguration"]["MinCapacity"] > 0
    [proxy] = synth.resources("AWS::RDS::DBProxy").values()
    assert proxy["Properties"]["RequireTLS"] is True
    assert len(proxy["Properties"]["Auth"]) == 2  # owner and application roles


def test_media_bucket_is_private_encrypted_ssl_only_with_lifecycle_rules(synth: Synth) -> None:
    media = logical_id(synth, "Storage/MediaBucket/Resource")
    props = synth.template["Resources"][media]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert (
        props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
            "SSEAlgorithm"
        ]
        == "aws:kms"
    )
    assert len(props["LifecycleConfiguration"]["Rules"]) >= 3
    [policy] = [
        p for p in synth.resources("AWS::S3::BucketPolicy").values() if refers_to(p["Properties"]["Bucket"], media)
    ]
    assert any(s["Effect"] == "Deny" for s in policy["Properties"]["PolicyDocument"]["Statement"])


def test_connection_table_has_ttl_and_alarms_cover_dead_letters_errors_throttles_and_age(synth: Synth) -> None:
    tables = {
        t["Properties"]["KeySchema"][0]["AttributeName"]: t for t in synth.resources("AWS::DynamoDB::Table").values()
    }
    assert set(tables) == {"connection_id", "webhook_key"}  # WebSocket connections, inbound secrets
    ttl = tables["connection_id"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}
    assert all(t["Properties"]["SSESpecification"]["SSEEnabled"] for t in tables.values())
    metrics = [a["Properties"]["MetricName"] for a in synth.resources("AWS::CloudWatch::Alarm").values()]
    # the manifest's, the delivery dead letters of rules and schedules, the failed events of event-triggered functions
    dead_letter_queues = sum(1 for q in manifest.queue_configs().values() if q.dead_letter_queue is None) + 2
    assert metrics.count("ApproximateNumberOfMessagesVisible") == dead_letter_queues
    assert metrics.count("Errors") == metrics.count("Throttles") == len(manifest.FUNCTIONS)
    assert metrics.count("ApproximateAgeOfOldestMessage") == len(manifest.queue_consumers())
    assert synth.resources("AWS::CloudWatch::Dashboard")


def test_baileys_host_runs_on_fargate_arm64_from_its_dockerfile(synth: Synth) -> None:
    [service] = synth.resources("AWS::ECS::Service").values()
    assert service["Properties"]["LaunchType"] == "FARGATE"
    [task] = synth.resources("AWS::ECS::TaskDefinition").values()
    assert task["Properties"]["RuntimePlatform"]["CpuArchitecture"] == "ARM64"
    assets = json.loads(next(synth.directory.glob("*.assets.json")).read_text())
    assert len(assets["dockerImages"]) == 1


def test_every_acknowledged_cdk_nag_rule_carries_a_reason(synth: Synth) -> None:
    acknowledged = {
        rule: reason
        for entries in synth.metadata.values()
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for rule, reason in entry["data"].items()
    }
    assert any(rule.startswith("AwsSolutions::AwsSolutions-") for rule in acknowledged)
    for rule, reason in acknowledged.items():
        assert len(reason.strip()) >= 20, rule


def test_cfn_lint_finds_no_error(synth: Synth) -> None:
    from cfnlint.api import lint

    template = next(synth.directory.glob("*.template.json")).read_text()
    errors = [m for m in lint(template, regions=["us-east-1", "sa-east-1"]) if m.rule.id.startswith("E")]
    assert errors == []


def test_the_websocket_api_routes_every_websocket_route_and_answers_frames_on_default(synth: Synth) -> None:
    [api] = [
        a
        for a in synth.resources("AWS::ApiGatewayV2::Api").values()
        if a["Properties"].get("ProtocolType") == "WEBSOCKET"
    ]
    assert api["Properties"]["RouteSelectionExpression"] == "$request.body.action"
    websocket = logical_id(synth, "WebSocket/Api/Resource")
    routes = [
        r
        for r in synth.resources("AWS::ApiGatewayV2::Route").values()
        if refers_to(r["Properties"]["ApiId"], websocket)
    ]
    assert sorted(r["Properties"]["RouteKey"] for r in routes) == sorted(manifest.WEBSOCKET_ROUTES)
    assert sorted(manifest.websocket_routes()) == sorted(manifest.WEBSOCKET_ROUTES)
    responses = synth.resources("AWS::ApiGatewayV2::RouteResponse").values()
    assert [
        r["Properties"]["RouteResponseKey"] for r in responses if refers_to(r["Properties"]["ApiId"], websocket)
    ] == ["$default"]
    [stage] = [
        s
        for s in synth.resources("AWS::ApiGatewayV2::Stage").values()
        if refers_to(s["Properties"]["ApiId"], websocket)
    ]
    assert stage["Properties"]["AccessLogSettings"]["DestinationArn"]
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0


def test_only_the_push_may_post_to_connections_and_only_on_the_websocket_api(synth: Synth) -> None:
    websocket = logical_id(synth, "WebSocket/Api/Resource")
    posting = [
        (logical, s) for logical, s in statements(synth) if "execute-api:ManageConnections" in as_list(s["Action"])
    ]
    pushers = [spec for spec in manifest.FUNCTIONS if spec.posts_to_connections]
    assert [spec.name for spec in pushers] == ["realtime_push"]
    assert len(posting) == len(pushers)
    for _, statement in posting:
        assert as_list(statement["Action"]) == ["execute-api:ManageConnections"]
        for resource in as_list(statement["Resource"]):
            assert refers_to(resource, websocket), resource
            assert "/live/" in json.dumps(resource)  # the stage, not every stage of the API
    for spec in manifest.FUNCTIONS:
        env = synth.template["Resources"][function_id(synth, spec.name)]["Properties"]["Environment"]["Variables"]
        assert ("REALTIME_ENDPOINT" in env) is spec.posts_to_connections, spec.name
        assert ("REALTIME_CONNECTIONS_TABLE" in env) is spec.realtime_connections, spec.name
        if spec.realtime_connections:
            assert refers_to(env["REALTIME_CONNECTIONS_TABLE"], logical_id(synth, "Storage/Connections/Resource"))


@pytest.mark.parametrize("webhook", ["meta_webhook", "sms_webhook"])
def test_the_public_webhook_may_only_put_claim_checks_in_the_media_bucket(synth: Synth, webhook: str) -> None:
    bucket = logical_id(synth, "Storage/MediaBucket/Resource")
    role = synth.template["Resources"][function_id(synth, webhook)]["Properties"]["Role"]
    own = [
        s
        for logical, resource in synth.resources("AWS::IAM::Policy").items()
        if refers_to(resource["Properties"].get("Roles", []), role["Fn::GetAtt"][0])
        for s in resource["Properties"]["PolicyDocument"]["Statement"]
    ]
    on_bucket = [s for s in own if refers_to(s["Resource"], bucket)]
    assert on_bucket, "it writes claim checks"
    for statement in on_bucket:
        assert all(a.startswith(("s3:PutObject", "s3:Abort")) for a in as_list(statement["Action"])), statement
        assert all("/inbound/*" in json.dumps(r) for r in as_list(statement["Resource"])), statement


def _roles_allowed(synth: Synth, action: str, resource: str | None = None) -> set[str]:
    """The functions whose role may do ``action`` (on ``resource``, a logical id, when given)."""
    policies = {
        logical
        for logical, statement in statements(synth)
        if action in as_list(statement["Action"]) and (resource is None or refers_to(statement["Resource"], resource))
    }
    roles = [
        role for logical in policies for role in synth.template["Resources"][logical]["Properties"].get("Roles", [])
    ]
    return {
        spec.name
        for spec in manifest.FUNCTIONS
        if any(
            refers_to(
                role, synth.template["Resources"][function_id(synth, spec.name)]["Properties"]["Role"]["Fn::GetAtt"][0]
            )
            for role in roles
        )
    }


def test_only_their_workers_write_the_inbound_secrets_and_manage_one_time_schedules(synth: Synth) -> None:
    table = logical_id(synth, "Storage/InboundSecrets/Resource")
    assert _roles_allowed(synth, "dynamodb:PutItem", table) == {"connection_secrets"}
    assert _roles_allowed(synth, "dynamodb:GetItem", table) == {"connection_secrets", "meta_webhook", "sms_webhook"}
    assert _roles_allowed(synth, "scheduler:CreateSchedule") == {"campaign_scheduler", "appointment_scheduler"}


def test_sms_events_and_two_way_messages_reach_an_encrypted_topic_only_the_service_publishes_to(synth: Synth) -> None:
    [(topic_id, topic)] = [(k, v) for k, v in synth.resources("AWS::SNS::Topic").items() if "Sms" in k]
    assert topic["Properties"]["KmsMasterKeyId"]
    [configuration_set] = synth.resources("AWS::SMSVOICE::ConfigurationSet").values()
    [destination] = configuration_set["Properties"]["EventDestinations"]
    assert destination["MatchingEventTypes"] == ["TEXT_ALL"] and destination["Enabled"] is True
    assert refers_to(destination["SnsDestination"]["TopicArn"], topic_id)
    policies = [
        p for p in synth.resources("AWS::SNS::TopicPolicy").values() if refers_to(p["Properties"]["Topics"], topic_id)
    ]
    on_topic = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    publishers = [s for s in on_topic if s["Effect"] == "Allow" and s["Action"] == "sns:Publish"]
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s) for s in on_topic)  # TLS only
    assert [s["Principal"] for s in publishers] == [{"Service": "sms-voice.amazonaws.com"}]
    assert all("aws:SourceAccount" in s["Condition"]["StringEquals"] for s in publishers)
