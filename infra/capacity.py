"""The stack's sizing, derived from one setting: the sending rate the stack is built for.

``send_rate`` (CDK context, messages per second over all sending numbers; default ``DEFAULT_SEND_RATE``) is
the one place for it. From it:

- Meta's webhook routes get their own throttle (route-level, not the REST API's stage limit): each message
  sent comes back as up to three status webhooks (sent, delivered, read), and inbound messages arrive on top.
  Meta's throughput counts a number's inbound and outbound messages together, so inbound is sized at the send
  rate too::

      webhook rate  = 3 * send_rate (statuses) + 1 * send_rate (inbound) = 4 * send_rate   requests/s
      webhook burst = 2 * webhook rate (Meta delivers concurrently and catches up after an outage)

  At the default 80/s: 320 requests/s, burst 640. Above it API Gateway answers 429 and Meta redelivers
  (for up to 7 days), so a burst is late, never lost.
- The inbound processor's maximum concurrency (its SQS event source): every webhook body is one queue message,
  and one body takes at most ``SECONDS_PER_BODY`` of a processor's time, so::

      concurrency = ceil(webhook rate * SECONDS_PER_BODY) = ceil(4 * send_rate * 0.05)

  At the default 80/s: ceil(320 * 0.05) = 16. A backlog beyond that waits in the queue (alarmed on its
  oldest message), and the database sees at most that many connections from the processor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from functions import manifest

DEFAULT_SEND_RATE = 80  # one number at Meta's standard throughput; a campaign's default rate
STATUS_WEBHOOKS_PER_MESSAGE = 3  # sent, delivered, read
INBOUND_PER_MESSAGE = 1  # inbound shares the numbers' throughput with outbound: at most the send rate
WEBHOOK_BURST_FACTOR = 2
SECONDS_PER_BODY = 0.05  # a body's transaction through RDS Proxy: a few statements
META_WEBHOOK = "meta_webhook"  # the function behind Meta's webhook routes
SMS_WEBHOOK = "sms_webhook"  # the function behind the SMS (SNS) webhook route: throttled like Meta's
INBOUND_PROCESSOR = "inbound_processor"  # the consumer of the queue Meta's webhook fills
# An SQS event source's maximum concurrency is between these (Lambda's limits).
MIN_EVENT_SOURCE_CONCURRENCY, MAX_EVENT_SOURCE_CONCURRENCY = 2, 1000


@dataclass(frozen=True)
class Sizing:
    send_rate: int

    @classmethod
    def from_context(cls, value: object) -> Sizing:
        rate = int(str(value)) if value is not None else DEFAULT_SEND_RATE
        if rate < 1:
            raise ValueError(f"send_rate must be at least 1 message per second, not {value!r}")
        return cls(rate)

    @property
    def webhook_rate(self) -> int:
        """Requests per second Meta's webhook routes accept (their route-level throttle)."""
        return (STATUS_WEBHOOKS_PER_MESSAGE + INBOUND_PER_MESSAGE) * self.send_rate

    @property
    def webhook_burst(self) -> int:
        return WEBHOOK_BURST_FACTOR * self.webhook_rate

    @property
    def inbound_processor_concurrency(self) -> int:
        needed = math.ceil(self.webhook_rate * SECONDS_PER_BODY)
        return min(max(needed, MIN_EVENT_SOURCE_CONCURRENCY), MAX_EVENT_SOURCE_CONCURRENCY)

    def max_concurrency(self, spec: manifest.FunctionSpec) -> int:
        """A queue consumer's maximum concurrency on AWS: derived for the inbound processor, else the manifest's."""
        assert isinstance(spec.trigger, manifest.QueueTrigger)
        if spec.name == INBOUND_PROCESSOR:
            return self.inbound_processor_concurrency
        return spec.trigger.max_concurrency
