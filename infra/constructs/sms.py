"""SMS over AWS End User Messaging SMS: the SNS topic its two-way messages and delivery events are published to,
and the configuration set whose event destination is that topic.

A connection names the topic (its ``inbound_topic_arn``) and the configuration set in its SMS configuration; the
topic's HTTPS subscription to the connection's webhook URL (``/webhooks/sms/{key}``) is made per connection (its
key is known at run time), and SNS's confirmation is answered by the webhook. An origination number's two-way
channel is pointed at the topic where the number is bought (``AWS::SMSVOICE::PhoneNumber``'s ``TwoWay``), outside
this stack.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_smsvoice as smsvoice
from aws_cdk import aws_sns as sns
from constructs import Construct

SERVICE = "sms-voice.amazonaws.com"  # the principal AWS End User Messaging SMS publishes to SNS as


class Sms(Construct):
    def __init__(self, scope: Construct, id: str, *, prefix: str, key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(self, "Topic", topic_name=f"{prefix}sms", master_key=key, enforce_ssl=True)
        publisher = iam.ServicePrincipal(SERVICE)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["sns:Publish"],
                principals=[publisher],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        key.grant(publisher, "kms:GenerateDataKey*", "kms:Decrypt")  # to publish to the encrypted topic
        self.configuration_set = smsvoice.CfnConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=f"{prefix}sms",
            event_destinations=[
                smsvoice.CfnConfigurationSet.EventDestinationProperty(
                    enabled=True,
                    event_destination_name="sns",
                    matching_event_types=["TEXT_ALL"],
                    sns_destination=smsvoice.CfnConfigurationSet.SnsDestinationProperty(topic_arn=self.topic.topic_arn),
                )
            ],
        )
        self.configuration_set.node.add_dependency(self.topic)
        CfnOutput(self, "TopicArn", value=self.topic.topic_arn, description="SMS: the SNS topic of two-way messages")
        CfnOutput(self, "ConfigurationSetName", value=f"{prefix}sms", description="SMS: the configuration set")

    @staticmethod
    def grant(function: lambda_.IFunction, *actions: str) -> None:
        """Let ``function`` call these AWS End User Messaging SMS actions on this account's resources in this region
        (which origination, configuration set or opt-out list is the connection's, known at run time)."""
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=list(actions),
                resources=[f"arn:{Aws.PARTITION}:sms-voice:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"],
            )
        )
