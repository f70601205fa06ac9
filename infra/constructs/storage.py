"""The stack's KMS key, the media bucket and the WebSocket connection table."""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge

# How long the media bucket keeps an object's old (overwritten or deleted) versions; the shorter figure applies to
# working files (imports, exports, inbound bodies), which S3 prefers where both rules match.
OLD_VERSIONS = Duration.days(30)
WORKING_FILE_OLD_VERSIONS = Duration.days(1)


class Storage(Construct):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.key = kms.Key(
            self,
            "Key",
            description="Master IA: media, connections, secrets and per-tenant data keys",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.media_bucket = s3.Bucket(
            self,
            "MediaBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            # Versioned: an overwritten or deleted object can be recovered for a while (noncurrent versions below).
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                # CSV uploads and exports are working files: imports finish within minutes. Their old versions
                # (phone numbers) go a day after they expire or are deleted.
                s3.LifecycleRule(
                    id="imports",
                    prefix="imports/",
                    expiration=Duration.days(30),
                    noncurrent_version_expiration=WORKING_FILE_OLD_VERSIONS,
                ),
                s3.LifecycleRule(
                    id="exports",
                    prefix="exports/",
                    expiration=Duration.days(7),
                    noncurrent_version_expiration=WORKING_FILE_OLD_VERSIONS,
                ),
                # Meta's large webhook bodies (claim checks): processed within minutes, dead letters keep them
                s3.LifecycleRule(
                    id="inbound-bodies",
                    prefix="inbound/",
                    expiration=Duration.days(14),
                    noncurrent_version_expiration=WORKING_FILE_OLD_VERSIONS,
                ),
                # Files a browser sent for a knowledge document (copied into place when it is created): one never
                # named on a document is abandoned.
                s3.LifecycleRule(
                    id="uploads",
                    prefix="uploads/",
                    expiration=Duration.days(1),
                    noncurrent_version_expiration=WORKING_FILE_OLD_VERSIONS,
                ),
                # Every other old version (media) is kept this long, then removed with its delete marker.
                s3.LifecycleRule(
                    id="old-versions",
                    noncurrent_version_expiration=OLD_VERSIONS,
                    expired_object_delete_marker=True,
                ),
                s3.LifecycleRule(id="abandoned-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)),
                s3.LifecycleRule(
                    id="media-to-infrequent-access",
                    prefix="media/",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS, transition_after=Duration.days(30)
                        )
                    ],
                ),
            ],
        )
        acknowledge(
            self.media_bucket,
            "AwsSolutions-S1",
            "Objects are reached only through presigned URLs the API issues and audits (imports, exports, uploads); "
            "server access logs would need a second bucket with no reader",
        )
        self.uploads_origin = f"https://*.s3.{Aws.REGION}.{Aws.URL_SUFFIX}"  # presigned URLs (S3Store): the CSP
        self.connections = dynamodb.Table(
            self,
            "Connections",
            partition_key=dynamodb.Attribute(name="connection_id", type=dynamodb.AttributeType.STRING),
            time_to_live_attribute="expires_at",
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=RemovalPolicy.DESTROY,  # connections are ephemeral by nature
        )
        # The realtime push posts a tenant's events only to that tenant's connections.
        self.connections.add_global_secondary_index(
            index_name="by_company",
            partition_key=dynamodb.Attribute(name="company_id", type=dynamodb.AttributeType.STRING),
        )
        # Connection secrets for the Meta webhook function, which has no database (masteria.ports.InboundSecrets).
        self.inbound_secrets = dynamodb.Table(
            self,
            "InboundSecrets",
            partition_key=dynamodb.Attribute(name="webhook_key", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )

    def allow_uploads_from(self, origin: str) -> None:
        """Let the dashboard at ``origin`` ``PUT`` files to the media bucket's presigned URLs (CORS)."""
        self.media_bucket.add_cors_rule(
            allowed_methods=[s3.HttpMethods.PUT], allowed_origins=[origin], allowed_headers=["*"], max_age=3600
        )
