"""A campaign's counts, kept as its ledger changes: the ledger's statement triggers (migration 0132) append each
statement's net change per status and failure reason to ``campaign_counts``; a read sums the campaign's rows (a
few, however large the campaign), ``fold`` turns them back into one row per status and reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass
class Counts:
    by_status: dict[str, int] = field(default_factory=dict)
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    segments: int = 0  # billed: of the sent, delivered and read
    replied: int = 0


def read(session: Session, campaign_id: uuid.UUID) -> Counts:
    counts = Counts()
    rows = session.execute(
        text(
            "SELECT status, reason, sum(n), sum(segments), sum(replied) FROM campaign_counts"
            " WHERE campaign_id = :campaign GROUP BY status, reason"
        ),
        {"campaign": campaign_id},
    ).all()
    for status, reason, n, segments, replied in rows:
        if n:
            counts.by_status[status] = counts.by_status.get(status, 0) + int(n)
            if status == "failed":
                counts.failed_by_reason[str(reason or "unknown")] = int(n)
        counts.segments += int(segments)
        counts.replied += int(replied)
    return counts


def fold(session: Session, campaign_id: uuid.UUID) -> None:
    """The campaign's rows summed into one per status and reason (what is zero left out). Rows appended meanwhile
    by other transactions are not this statement's to see: they stay, and still count."""
    session.execute(
        text(
            "WITH gone AS (DELETE FROM campaign_counts WHERE campaign_id = :campaign"
            " RETURNING company_id, status, reason, n, segments, replied)"
            " INSERT INTO campaign_counts (company_id, campaign_id, status, reason, n, segments, replied)"
            " SELECT company_id, :campaign, status, reason, sum(n), sum(segments), sum(replied) FROM gone"
            " GROUP BY company_id, status, reason HAVING sum(n) <> 0 OR sum(segments) <> 0 OR sum(replied) <> 0"
        ),
        {"campaign": campaign_id},
    )
