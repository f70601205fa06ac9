"""Aurora PostgreSQL Serverless v2 (pgvector) behind RDS Proxy, with owner and application secrets."""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.nag import acknowledge

DATABASE_NAME = "masteria"
OWNER_USER = "masteria_owner"
APP_USER = "masteria_app"  # created by `masteria migrate` (NOSUPERUSER, NOBYPASSRLS, owns nothing)
MIN_CAPACITY_ACU, MAX_CAPACITY_ACU = 0.5, 8
GIB_PER_ACU = 2
# Aurora PostgreSQL's default max_connections is LEAST(memory / 9531392, 5000); Serverless v2 takes the memory
# at its maximum capacity.
MAX_CONNECTIONS = min(int(MAX_CAPACITY_ACU * GIB_PER_ACU * 2**30 / 9531392), 5000)
LOG_RETENTION = logs.RetentionDays.ONE_MONTH


class Database(Construct):
    def __init__(
        self, scope: Construct, id: str, *, vpc: ec2.IVpc, clients: ec2.ISecurityGroup, key: kms.IKey, prefix: str
    ) -> None:
        super().__init__(scope, id)
        self.owner_secret = rds.DatabaseSecret(self, "OwnerSecret", username=OWNER_USER, encryption_key=key)
        self.app_secret = secretsmanager.Secret(
            self,
            "AppSecret",
            description="Master IA application role (row-level security applies); migrate sets its password",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"username": APP_USER}),
                generate_string_key="password",
                exclude_punctuation=True,
                password_length=40,
            ),
        )
        self.cluster = rds.DatabaseCluster(
            self,
            "Cluster",
            engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_17_5),
            credentials=rds.Credentials.from_secret(self.owner_secret),
            default_database_name=DATABASE_NAME,
            writer=rds.ClusterInstance.serverless_v2("writer", publicly_accessible=False),
            serverless_v2_min_capacity=MIN_CAPACITY_ACU,
            serverless_v2_max_capacity=MAX_CAPACITY_ACU,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            storage_encrypted=True,
            storage_encryption_key=key,
            iam_authentication=True,
            deletion_protection=True,
            backup=rds.BackupProps(retention=Duration.days(7)),
            cloudwatch_logs_exports=["postgresql"],
            removal_policy=RemovalPolicy.SNAPSHOT,
        )
        # The exported PostgreSQL log's group, declared to give it a retention. RDS names it after the cluster and
        # creates it at the first export, so it is created before the writer instance exists.
        self.log_group = logs.LogGroup(
            self,
            "PostgresqlLogs",
            log_group_name=f"/aws/rds/cluster/{self.cluster.cluster_identifier}/postgresql",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        for instance in self.cluster.node.find_all():
            if isinstance(instance, rds.CfnDBInstance):
                instance.node.add_dependency(self.log_group)
        self.proxy = self.cluster.add_proxy(
            "Proxy",
            db_proxy_name=f"{prefix}proxy",  # unique per account and region: the environment's prefix
            secrets=[self.owner_secret, self.app_secret],
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            require_tls=True,
            security_groups=[self._proxy_group(vpc, clients)],
        )
        self.cluster.connections.allow_default_port_from(self.proxy, "RDS Proxy to Aurora")
        acknowledge(
            self.cluster,
            "AwsSolutions-RDS11",
            "The default port is no boundary: only the proxy's security group reaches the cluster",
        )
        for secret in (self.owner_secret, self.app_secret):
            acknowledge(
                secret,
                "AwsSolutions-SMG4",
                "Rotation needs the application role's password reset in step with migrate; planned with the "
                "operations issue, until then rotated by redeploying with a new secret",
            )

    def _proxy_group(self, vpc: ec2.IVpc, clients: ec2.ISecurityGroup) -> ec2.SecurityGroup:
        group = ec2.SecurityGroup(self, "ProxySecurityGroup", vpc=vpc, description="RDS Proxy for Master IA")
        group.add_ingress_rule(clients, ec2.Port.tcp(5432), "functions and services in the app group")
        return group
