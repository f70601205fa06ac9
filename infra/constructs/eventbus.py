"""The EventBridge bus and one rule per event-triggered function, from the manifest's event routing."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions import manifest

# The ``source`` of every domain event put on the bus; the detail type is the event type.
EVENT_SOURCE = "masteria"


class EventRouting(Construct):
    def __init__(self, scope: Construct, id: str, *, bus_name: str, dead_letter_queue: sqs.IQueue) -> None:
        super().__init__(scope, id)
        self.bus = events.EventBus(self, "Bus", event_bus_name=bus_name)
        self._dead_letter_queue = dead_letter_queue
        self.rules: dict[str, events.Rule] = {}

    def route(self, spec: manifest.FunctionSpec, function: lambda_.IFunction) -> None:
        assert isinstance(spec.trigger, manifest.EventTrigger)
        self.rules[spec.name] = events.Rule(
            self,
            f"{spec.name}Rule",
            event_bus=self.bus,
            description=f"Domain events for {spec.name}",
            event_pattern=events.EventPattern(source=[EVENT_SOURCE], detail_type=list(spec.trigger.event_types)),
            targets=[
                targets.LambdaFunction(
                    function,
                    dead_letter_queue=self._dead_letter_queue,
                    retry_attempts=8,
                    max_event_age=Duration.hours(6),
                )
            ],
        )
