"""The ``Queue`` port on Amazon SQS (redrive policies live on the queues, set by the CDK app)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import boto3

from masteria.ports import MAX_BATCH, BatchRefused, ReceivedMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class SqsQueue:
    def __init__(self, client: SQSClient, url_prefix: str) -> None:
        self._client = client
        self._prefix = url_prefix if url_prefix.endswith("/") else url_prefix + "/"

    @classmethod
    def from_region(cls, region: str, url_prefix: str) -> SqsQueue:
        return cls(boto3.client("sqs", region_name=region), url_prefix)

    def url(self, queue: str) -> str:
        return self._prefix + queue

    def send(self, queue: str, body: str, *, delay_seconds: int = 0) -> str:
        response = self._client.send_message(QueueUrl=self.url(queue), MessageBody=body, DelaySeconds=delay_seconds)
        return response["MessageId"]

    def send_batch(self, queue: str, bodies: Sequence[str], *, delay_seconds: int = 0) -> list[str]:
        if not 1 <= len(bodies) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} messages, not {len(bodies)}")
        response = self._client.send_message_batch(
            QueueUrl=self.url(queue),
            Entries=[{"Id": str(i), "MessageBody": b, "DelaySeconds": delay_seconds} for i, b in enumerate(bodies)],
        )
        if response.get("Failed"):  # the others were sent: say which were not, so that only those are tried again
            raise BatchRefused({int(f["Id"]): f["Code"] for f in response["Failed"]}, len(bodies))
        by_id = {entry["Id"]: entry["MessageId"] for entry in response["Successful"]}
        return [by_id[str(i)] for i in range(len(bodies))]

    def receive(self, queue: str, *, max_messages: int = MAX_BATCH, wait_seconds: float = 0) -> list[ReceivedMessage]:
        response = self._client.receive_message(
            QueueUrl=self.url(queue),
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=int(wait_seconds),
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        return [
            ReceivedMessage(
                message_id=m["MessageId"],
                receipt=m["ReceiptHandle"],
                body=m["Body"],
                receive_count=int(m.get("Attributes", {}).get("ApproximateReceiveCount", "1")),
            )
            for m in response.get("Messages", [])
        ]

    def delete(self, queue: str, receipts: Sequence[str]) -> None:
        for start in range(0, len(receipts), MAX_BATCH):
            chunk = receipts[start : start + MAX_BATCH]
            self._client.delete_message_batch(
                QueueUrl=self.url(queue), Entries=[{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(chunk)]
            )

    def change_visibility(self, queue: str, receipt: str, *, timeout_seconds: int) -> None:
        self._client.change_message_visibility(
            QueueUrl=self.url(queue), ReceiptHandle=receipt, VisibilityTimeout=timeout_seconds
        )

    def approximate_depth(self, queue: str) -> int:
        attributes = self._client.get_queue_attributes(
            QueueUrl=self.url(queue),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
