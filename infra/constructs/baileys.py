"""ECS Fargate service for ``baileys_host/``, built from its Dockerfile (synth only stages the asset)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.nag import acknowledge, acknowledge_resource_wildcard

PORT = 3000


class BaileysHost(Construct):
    def __init__(self, scope: Construct, id: str, *, vpc: ec2.IVpc, directory: Path) -> None:
        super().__init__(scope, id)
        cluster = ecs.Cluster(self, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED)
        task = ecs.FargateTaskDefinition(
            self,
            "Task",
            cpu=256,
            memory_limit_mib=512,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.ARM64, operating_system_family=ecs.OperatingSystemFamily.LINUX
            ),
        )
        task.add_container(
            "baileys",
            image=ecs.ContainerImage.from_asset(str(directory), platform=ecr_assets.Platform.LINUX_ARM64),
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix="baileys",
                log_group=logs.LogGroup(
                    self, "Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
                ),
            ),
            port_mappings=[ecs.PortMapping(container_port=PORT)],
            environment={"PORT": str(PORT)},
            health_check=ecs.HealthCheck(
                command=[
                    "CMD-SHELL",
                    f"node -e \"fetch('http://127.0.0.1:{PORT}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))\"",
                ]
            ),
        )
        acknowledge(task, "AwsSolutions-ECS2", "The only variable is the listening port, not a secret")
        acknowledge_resource_wildcard(task, "*", "ecr:GetAuthorizationToken has no resource type")
        self.service = ecs.FargateService(
            self,
            "Service",
            cluster=cluster,
            task_definition=task,
            desired_count=1,  # sessions are stateful: one task holds them (DESIGN.md §1)
            min_healthy_percent=0,
            max_healthy_percent=100,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
        )
