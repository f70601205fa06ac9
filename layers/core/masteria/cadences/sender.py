"""The cadence sender: drives one number's due cadence sends through the bulk pipeline (``outbound.bulk``) under
the number's shared pacer, the lane its campaigns and inbox replies use too.

A drive holds the number's cadence lease (``CadenceSender``: one driver per number) and, for a slice of time,
claims the number's due sends (``send_claims``: an enrollment that exited before the claim is not sent), posts
each at its slot and records every answer (``send_ledger``): the campaign engine's exactly-once discipline, the
same code. It hands itself back to the queue while there is more to send, or when the next send is due."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import exists, func, select, text
from sqlalchemy.orm import Session

from masteria.cadences import send_claims, send_ledger, sending
from masteria.cadences.send_jobs import SendJob, enqueue_send
from masteria.cadences.send_models import CadenceSend
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import Registry, SendOutcome
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.outbound import bulk, bulk_ledger, pacer, send
from masteria.ports import Clock, Queue

SenderSettings = bulk.Settings


@dataclass
class _Drive:
    """The number's cadence side of the bulk pipeline (``bulk.Drive``)."""

    db: Database
    queue: Queue
    clock: Clock
    scope: send_claims.Scope
    settings: SenderSettings
    cache: send_claims.Cache = field(default_factory=send_claims.Cache)

    def claim(self) -> bulk.Claim:
        return send_claims.claim(
            self.db,
            self.scope,
            self.cache,
            clock=self.clock,
            batch_seconds=self.settings.batch_seconds,
            max_batch=self.settings.max_batch,
            lease_seconds=self.settings.lease_seconds,
        )

    def posting(self, batch: bulk.Batch) -> list[int]:
        with self.db.tenant(self.scope.company_id) as session:
            return bulk_ledger.mark_posting(session, sending.TABLE, batch, self.clock.now())

    def record(self, batch: bulk.Batch, outcomes: list[tuple[int, SendOutcome]]) -> None:
        with self.db.tenant(self.scope.company_id) as session:
            send_ledger.record_batch(session, outcomes, self.clock.now())
            if any(o.slow_down for _, o in outcomes):
                pacer.back_off(session, connection_id=self.scope.connection_id)
                self.scope.rate = max(1.0, self.scope.rate * pacer.RATE_LIMIT_SLOWDOWN)

    def idle(self, claim: bulk.Claim) -> str:
        """Nothing due now: come back when the next send is due (a delayed message holds 15 minutes at most; the
        sweeper starts a driver for sends due later than that)."""
        if claim.next_due is None:
            return "idle"
        delay = max(1, int((claim.next_due - self.clock.now()).total_seconds()) + 1)
        enqueue_send(self.queue, self.scope.company_id, self.scope.connection_id, delay_seconds=delay)
        return "waiting"


def drive(
    *,
    db: Database,
    queue: Queue,
    providers: Registry,
    keys: CompanyKeys,
    clock: Clock,
    job: SendJob,
    settings: SenderSettings = SenderSettings(),
    should_stop: Callable[[], bool] = lambda: False,
) -> str:
    """Send the number's due cadence steps for up to one slice; why it stopped: busy, no_connection, slice,
    waiting, idle."""
    lease = timedelta(seconds=settings.slice_seconds + settings.lease_seconds)
    with db.tenant(job.company_id) as session:
        connection = session.get(ChannelConnection, job.connection_id)
        if connection is None:  # deleted: its sends lost their number (the sweeper skips them)
            return "no_connection"
        if not _hold(session, job, lease):
            return "busy"
        route = send.route(session, keys, providers, connection)
    scope = send_claims.Scope.of(route)
    try:
        reason = bulk.run(
            _Drive(db, queue, clock, scope, settings),
            route,
            settings=settings,
            should_stop=should_stop,
            log={"connection_id": str(job.connection_id)},
        )
    finally:
        with db.tenant(job.company_id) as session:
            session.execute(
                text("UPDATE cadence_senders SET driver_until = NULL WHERE connection_id = :connection"),
                {"connection": job.connection_id},
            )
            # sends queued while this drive held the lease found it busy: they are this drive's to hand on
            due = session.scalar(
                select(
                    exists().where(
                        CadenceSend.connection_id == job.connection_id,
                        CadenceSend.status == "pending",
                        CadenceSend.next_attempt_at <= func.now(),
                    )
                )
            )
    if reason == "slice" or due:
        enqueue_send(queue, job.company_id, job.connection_id)
    return reason


def _hold(session: Session, job: SendJob, lease: timedelta) -> bool:
    """Take the number's cadence lease unless another driver holds it."""
    held = session.execute(
        text(
            "INSERT INTO cadence_senders (connection_id, company_id, driver_until)"
            " VALUES (:connection, :company, clock_timestamp() + :lease)"
            " ON CONFLICT (connection_id) DO UPDATE SET driver_until = EXCLUDED.driver_until"
            " WHERE cadence_senders.driver_until IS NULL OR cadence_senders.driver_until < clock_timestamp()"
            " RETURNING connection_id"
        ),
        {"connection": job.connection_id, "company": job.company_id, "lease": lease},
    ).first()
    return held is not None
