"""SQS queues and their dead-letter queues, exactly as ``functions.manifest.queue_configs()`` derives them."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions import manifest
from infra.nag import acknowledge

DLQ_RETENTION = Duration.days(14)


class Queues(Construct):
    """``queues[name]`` is the queue a manifest name denotes; its physical name is ``prefix + name``."""

    def __init__(self, scope: Construct, id: str, *, prefix: str) -> None:
        super().__init__(scope, id)
        self.prefix = prefix
        self.queues: dict[str, sqs.Queue] = {}
        configs = manifest.queue_configs()
        # Dead-letter queues first, so each source queue can point at its own.
        for config in sorted(configs.values(), key=lambda c: c.dead_letter_queue is not None):
            dead_letter = None
            if config.dead_letter_queue is not None:
                dead_letter = sqs.DeadLetterQueue(
                    max_receive_count=config.max_receives, queue=self.queues[config.dead_letter_queue]
                )
            queue = sqs.Queue(
                self,
                config.name,
                queue_name=prefix + config.name,
                visibility_timeout=Duration.seconds(config.visibility_timeout_seconds),
                retention_period=DLQ_RETENTION if dead_letter is None else Duration.days(4),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                dead_letter_queue=dead_letter,
            )
            if dead_letter is None:
                acknowledge(queue, "AwsSolutions-SQS3", "This is a dead-letter queue; alarmed when not empty")
            self.queues[config.name] = queue

    @property
    def dead_letter_queues(self) -> dict[str, sqs.Queue]:
        return {n: q for n, q in self.queues.items() if q.dead_letter_queue is None}
