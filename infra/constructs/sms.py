"""SMS over AWS End User Messaging SMS: the SNS topic its two-way messages and delivery events are published to,
and the configuration set whose event destination is that topic.

A connection names the topic (its ``inbound_topic_arn``) and the configuration set in its SMS configuration; the
topic's HTTPS subscription to the connection's webhook URL (``/webhooks/sms/{key}``) is made per connection (its
key is known at run time), and SNS's confirmation is answered by the webhook. An origination number's two-way
channel is pointed at the topic where the number is bought (``AWS::SMSVOICE::PhoneNumber``'s ``TwoWay``), outside
this stack.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_smsvoice as smsvoice
from aws_cdk import aws_sns as sns
from constructs import Construct

SERVICE = "sms-voice.amazonaws.com"  # the principal AWS End User Messaging SMS publishes to SNS as
# The resource types each action is authorized on (the service authorization reference of AWS End User Messaging
# SMS and voice, v2): a send on its origination (a phone number, sender ID or pool) and the configuration set; an
# opt-out list's numbers on the list. Which origination or list a connection names is known at run time only.
ORIGINATIONS = ("phone-number/*", "sender-id/*", "pool/*")
OPT_OUT_LISTS = ("opt-out-list/*",)
WILDCARDS = ORIGINATIONS + OPT_OUT_LISTS


class Sms(Construct):
    def __init__(self, scope: Construct, id: str, *, prefix: str, key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.configuration_set_name = f"{prefix}sms"
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
            configuration_set_name=self.configuration_set_name,
            event_destinations=[
                smsvoice.CfnConfigurationSet.EventDestinationProperty(
                    enabled=True,
                    event_destination_name=f"{prefix}sns",  # unique per environment, though scoped to its set
                    matching_event_types=["TEXT_ALL"],
                    sns_destination=smsvoice.CfnConfigurationSet.SnsDestinationProperty(topic_arn=self.topic.topic_arn),
                )
            ],
        )
        self.configuration_set.node.add_dependency(self.topic)
        CfnOutput(self, "TopicArn", value=self.topic.topic_arn, description="SMS: the SNS topic of two-way messages")
        CfnOutput(
            self, "ConfigurationSetName", value=self.configuration_set_name, description="SMS: the configuration set"
        )

    def grant(self, function: lambda_.IFunction, *actions: str) -> None:
        """Let ``function`` call these AWS End User Messaging SMS actions: a send on this account's and region's
        originations with this stack's configuration set, an opt-out list's numbers on its lists (which
        origination or list is the connection's is known at run time: ``WILDCARDS``, acknowledged by the stack)."""
        stack = Stack.of(self)
        arn = f"arn:{stack.partition}:sms-voice:{stack.region}:{stack.account}"
        sends = [a for a in actions if a == "sms-voice:SendTextMessage"]
        lists = [a for a in actions if a in ("sms-voice:PutOptedOutNumber", "sms-voice:DeleteOptedOutNumber")]
        unknown = set(actions) - set(sends) - set(lists)
        if unknown:
            raise ValueError(f"no SMS resources are known for {sorted(unknown)}")
        if sends:
            resources = [f"{arn}:configuration-set/{self.configuration_set_name}"]
            resources += [f"{arn}:{pattern}" for pattern in ORIGINATIONS]
            function.add_to_role_policy(iam.PolicyStatement(actions=sends, resources=resources))
        if lists:
            resources = [f"{arn}:{pattern}" for pattern in OPT_OUT_LISTS]
            function.add_to_role_policy(iam.PolicyStatement(actions=lists, resources=resources))
