"""The ``Scheduler`` port of the local runtime: one-time schedules in a table, fired by the schedule loop
(``functions/local/schedules.py``) into the local queue. No tenant: bodies carry theirs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Engine, String, Text, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from masteria.db import Base
from masteria.ports import Queue


class ScheduledJobRow(Base):
    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    fire_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    queue: Mapped[str] = mapped_column(String(80), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)


class TableScheduler:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def schedule(self, name: str, *, at: datetime, queue: str, body: str) -> None:
        values = {"name": name, "fire_at": at, "queue": queue, "body": body}
        with Session(self._engine) as session, session.begin():
            session.execute(
                insert(ScheduledJobRow).values(values).on_conflict_do_update(index_elements=["name"], set_=values)
            )

    def cancel(self, name: str) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(delete(ScheduledJobRow).where(ScheduledJobRow.name == name))

    def fire_due(self, queue: Queue, now: datetime) -> int:
        """Send every schedule due by ``now`` to its queue, then forget it; the number fired. A crash between
        the two fires it again: what it starts must (and does) tolerate that, as with EventBridge."""
        with Session(self._engine) as session, session.begin():
            due = session.scalars(
                select(ScheduledJobRow).where(ScheduledJobRow.fire_at <= now).with_for_update(skip_locked=True)
            ).all()
            for row in due:
                queue.send(row.queue, row.body)
                session.delete(row)
        return len(due)
