"""The local runtime's queue: SQS semantics on PostgreSQL.

Batches of up to 10, delays, a visibility timeout with redelivery, receipts that go stale on
redelivery, and a dead-letter queue after ``max_receives`` receives (an SQS redrive policy).
``FOR UPDATE SKIP LOCKED`` lets concurrent consumers share a queue without ever receiving the same
message at once. Long polling (``wait_seconds``) sleeps until this process sends to the queue (the local
runtime's API, workers and consumers share one process), checking again at least every ``_RECHECK_SECONDS``
for messages that became visible or came from elsewhere: idle consumers cost next to nothing, and a message
is received the moment it is sent.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Engine, text

from masteria.ports import (
    MAX_BATCH,
    MAX_DELAY_SECONDS,
    MAX_MESSAGE_BYTES,
    MAX_VISIBILITY_TIMEOUT_SECONDS,
    QueueConfig,
    ReceivedMessage,
)

_RECHECK_SECONDS = 1.0
_DEAD_LETTER_EVERY_SECONDS = 1.0  # per queue: received-too-often messages move at most this late

# Messages received max_receives times already are never received again: they go to the dead-letter queue,
# as SQS applies a redrive policy at receive time. The move runs when a receive finds the queue short of
# messages, at most once a second, so a busy queue's receives stay one statement.
_DEAD_LETTER = text(
    """
    UPDATE queue_messages SET queue = :dlq, receive_count = 0, receipt = NULL, visible_at = now()
    WHERE id IN (
        SELECT id FROM queue_messages
        WHERE queue = :queue AND visible_at <= now() AND receive_count >= :max_receives
        ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED
    )
    """
)
_RECEIVE = text(
    """
    UPDATE queue_messages m
    SET receive_count = m.receive_count + 1, receipt = gen_random_uuid(),
        visible_at = now() + make_interval(secs => :visibility)
    FROM (
        SELECT id FROM queue_messages
        WHERE queue = :queue AND visible_at <= now() AND (:max_receives = 0 OR receive_count < :max_receives)
        ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED
    ) picked
    WHERE m.id = picked.id
    RETURNING m.id, m.receipt, m.body, m.receive_count
    """
)


class _Doorbell:
    """Rung by each send to a queue; long-polling receivers of that queue (and only those) wait on it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conditions: dict[str, threading.Condition] = {}
        self._rings: dict[str, int] = defaultdict(int)

    def _condition(self, queue: str) -> threading.Condition:
        # called with the lock held: every queue's condition shares it
        if queue not in self._conditions:
            self._conditions[queue] = threading.Condition(self._lock)
        return self._conditions[queue]

    def rings(self, queue: str) -> int:
        with self._lock:
            return self._rings[queue]

    def ring(self, queue: str, messages: int) -> None:
        """Wake as many receivers as there are new messages: the others would only find them taken."""
        with self._lock:
            self._rings[queue] += 1
            self._condition(queue).notify(messages)

    def wait(self, queue: str, seen: int, timeout: float) -> None:
        """Until ``queue`` is rung after ``seen`` rings, or ``timeout``."""
        with self._lock:
            self._condition(queue).wait_for(lambda: self._rings[queue] != seen, timeout)


class PostgresQueue:
    def __init__(self, engine: Engine, configs: dict[str, QueueConfig]) -> None:
        self._engine = engine
        self._configs = configs
        self._doorbell = _Doorbell()
        self._dead_lettered_at: dict[str, float] = {}

    def _config(self, queue: str) -> QueueConfig:
        try:
            return self._configs[queue]
        except KeyError:
            raise KeyError(f"unknown queue {queue!r}: declare its consumer in functions/manifest.py") from None

    def send(self, queue: str, body: str, *, delay_seconds: int = 0) -> str:
        return self.send_batch(queue, [body], delay_seconds=delay_seconds)[0]

    def send_batch(self, queue: str, bodies: Sequence[str], *, delay_seconds: int = 0) -> list[str]:
        self._config(queue)
        if not 1 <= len(bodies) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} messages, not {len(bodies)}")
        size = sum(len(body.encode()) for body in bodies)
        if size > MAX_MESSAGE_BYTES:  # as SQS refuses it: the twin must break where the real thing breaks
            raise ValueError(f"a message or batch holds at most {MAX_MESSAGE_BYTES} bytes, not {size}")
        if not 0 <= delay_seconds <= MAX_DELAY_SECONDS:
            raise ValueError(f"delay_seconds must be between 0 and {MAX_DELAY_SECONDS}")
        with self._engine.begin() as connection:
            rows = connection.execute(
                text(
                    "INSERT INTO queue_messages (queue, body, visible_at)"
                    " SELECT :queue, body, now() + make_interval(secs => :delay) FROM unnest(CAST(:bodies AS text[]))"
                    " WITH ORDINALITY AS b(body, n) ORDER BY n RETURNING id"
                ),
                {"queue": queue, "bodies": list(bodies), "delay": delay_seconds},
            ).scalars()
            ids = [str(i) for i in rows]
        if not delay_seconds:
            self._doorbell.ring(queue, len(bodies))
        return ids

    def receive(self, queue: str, *, max_messages: int = MAX_BATCH, wait_seconds: float = 0) -> list[ReceivedMessage]:
        config = self._config(queue)
        if not 1 <= max_messages <= MAX_BATCH:
            raise ValueError(f"max_messages must be between 1 and {MAX_BATCH}")
        deadline = time.monotonic() + wait_seconds
        while True:
            seen = self._doorbell.rings(queue)
            redrive = config.max_receives if config.dead_letter_queue else 0
            with self._engine.begin() as connection:
                rows = connection.execute(
                    _RECEIVE,
                    {
                        "queue": queue,
                        "limit": max_messages,
                        "visibility": config.visibility_timeout_seconds,
                        "max_receives": redrive,
                    },
                ).all()
                now = time.monotonic()
                last = self._dead_lettered_at.get(queue, float("-inf"))
                if redrive and len(rows) < max_messages and now - last >= _DEAD_LETTER_EVERY_SECONDS:
                    self._dead_lettered_at[queue] = now
                    connection.execute(
                        _DEAD_LETTER, {"queue": queue, "dlq": config.dead_letter_queue, "max_receives": redrive}
                    )
            remaining = deadline - time.monotonic()
            if rows or remaining <= 0:
                return [
                    ReceivedMessage(
                        message_id=str(r.id), receipt=str(r.receipt), body=r.body, receive_count=r.receive_count
                    )
                    for r in sorted(rows, key=lambda r: r.id)
                ]
            self._doorbell.wait(queue, seen, min(remaining, _RECHECK_SECONDS))

    def delete(self, queue: str, receipts: Sequence[str]) -> None:
        if not receipts:
            return
        with self._engine.begin() as connection:
            connection.execute(
                text("DELETE FROM queue_messages WHERE queue = :queue AND receipt = ANY(CAST(:receipts AS uuid[]))"),
                {"queue": queue, "receipts": [str(uuid.UUID(r)) for r in receipts]},
            )

    def change_visibility(self, queue: str, receipt: str, *, timeout_seconds: int) -> None:
        if not 0 <= timeout_seconds <= MAX_VISIBILITY_TIMEOUT_SECONDS:
            raise ValueError(f"timeout_seconds must be between 0 and {MAX_VISIBILITY_TIMEOUT_SECONDS}")
        with self._engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE queue_messages SET visible_at = now() + make_interval(secs => :t)"
                    " WHERE queue = :queue AND receipt = CAST(:receipt AS uuid)"
                ),
                {"queue": queue, "receipt": receipt, "t": timeout_seconds},
            )

    def approximate_depth(self, queue: str) -> int:
        with self._engine.connect() as connection:
            count = connection.execute(
                text("SELECT count(*) FROM queue_messages WHERE queue = :queue"), {"queue": queue}
            ).scalar_one()
        return int(count)
