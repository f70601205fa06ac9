"""Concurrent moves on a real PostgreSQL, from threads: no move is lost, no two cards share a rank, every stage
change is in the history exactly once, and a stale version is a clean 409 (never a 500, never two winners)."""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from masteria.bootstrap import Container
from masteria.errors import Conflict
from masteria.events import OutboxEvent
from masteria.pipelines import moves
from masteria.pipelines.models import Lead, StageChange
from masteria.pipelines.schemas import LeadMove
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal
from tests.api import Account, sign_up
from tests.pipelines_api import make_lead, pipeline_of, stage_named

THREADS = 8


def _principal(account: Account) -> Principal:
    return Principal(user_id=uuid.UUID(account.user_id), company_id=uuid.UUID(account.company_id), role=Role.OWNER)


def _run(workers: list[Callable[[], None]]) -> list[BaseException]:
    """Run ``workers`` in threads at once; the errors they raised."""
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a mover hung"
    return errors


def _duplicate_ranks(container: Container, company: uuid.UUID) -> list[object]:
    with container.database.tenant(company) as session:
        return list(
            session.execute(
                select(Lead.stage_id, Lead.rank).group_by(Lead.stage_id, Lead.rank).having(func.count() > 1)
            )
        )


def test_concurrent_movers_lose_no_move_and_record_each_once(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    actor, company = _principal(owner), uuid.UUID(owner.company_id)
    pipeline = pipeline_of(client, owner)
    home, hot = uuid.UUID(stage_named(pipeline, "Novo")), uuid.UUID(stage_named(pipeline, "Qualificado"))
    leads = [uuid.UUID(make_lead(client, owner, pipeline)["id"]) for _ in range(THREADS * 4)]
    done: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID]]] = defaultdict(list)  # lead -> its moves (from, to)
    refused: Counter[str] = Counter()
    lock = threading.Lock()

    def mover(mine: list[uuid.UUID], seed: int) -> Callable[[], None]:
        chance = random.Random(seed)

        def work() -> None:
            for _ in range(12):
                lead_id = chance.choice(mine)
                db = container.database
                with db.tenant(company) as session:  # what the client saw: the lead, and the hot column
                    lead = session.get_one(Lead, lead_id)
                    version, stage = lead.version, lead.stage_id
                    cards = list(session.scalars(select(Lead.id).where(Lead.stage_id == hot, Lead.id != lead_id)))
                to = home if stage == hot else hot
                neighbour = chance.choice(cards) if cards and to == hot else None
                where = chance.choice(["after_id", "before_id"])
                data = LeadMove(to_stage_id=to, version=version, **({where: neighbour} if neighbour else {}))
                try:
                    with db.tenant(company) as session:
                        moves.move_lead(session=session, clock=container.clock, actor=actor, lead_id=lead_id, data=data)
                except Conflict as conflict:  # the neighbour left the hot column meanwhile: the client retries
                    assert conflict.error_code == "neighbour_moved", conflict.error_code
                    with lock:
                        refused[conflict.error_code] += 1
                    continue
                with lock:
                    done[lead_id].append((stage, to))

        return work

    chunks = [leads[i::THREADS] for i in range(THREADS)]
    assert _run([mover(chunk, seed) for seed, chunk in enumerate(chunks)]) == []
    total = sum(len(v) for v in done.values())
    assert total + sum(refused.values()) == THREADS * 12
    assert total >= THREADS * 6  # most moves went through
    with container.database.tenant(company) as session:
        for lead_id in leads:
            lead = session.get_one(Lead, lead_id)
            history = [
                (c.from_stage_id, c.to_stage_id)
                for c in session.scalars(
                    select(StageChange).where(StageChange.lead_id == lead_id).order_by(StageChange.id)
                )
            ]
            # every successful move once, in order, after the creation; none lost, none twice
            assert history == [(None, home), *done[lead_id]]
            assert lead.version == 1 + len(done[lead_id])
            assert lead.stage_id == (done[lead_id][-1][1] if done[lead_id] else home)
        events = session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "lead.stage_changed")
        )
        assert events == total
    assert _duplicate_ranks(container, company) == []


def test_two_moves_of_one_version_have_one_winner(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    actor, company = _principal(owner), uuid.UUID(owner.company_id)
    pipeline = pipeline_of(client, owner)
    lead = make_lead(client, owner, pipeline)
    targets = [uuid.UUID(s["id"]) for s in pipeline["stages"][1:] if s["semantic_type"] == "open"]  # no reason asked
    start = threading.Barrier(len(targets))
    outcomes: list[str] = []

    def mover(to: uuid.UUID) -> Callable[[], None]:
        def work() -> None:
            start.wait()
            try:
                with container.database.tenant(company) as session:
                    moves.move_lead(
                        session=session, clock=container.clock, actor=actor, lead_id=uuid.UUID(lead["id"]),
                        data=LeadMove(to_stage_id=to, version=1),
                    )  # fmt: skip
                outcomes.append("moved")
            except Conflict as conflict:
                outcomes.append(conflict.error_code)

        return work

    assert _run([mover(t) for t in targets]) == []
    assert sorted(outcomes) == ["lead_changed"] * (len(targets) - 1) + ["moved"]
    with container.database.tenant(company) as session:
        count = session.scalar(select(func.count()).where(StageChange.lead_id == uuid.UUID(lead["id"])))
    assert count == 2  # its creation and the one move


def test_cards_dropped_after_one_neighbour_at_once_all_land_between_it_and_the_next(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    actor, company = _principal(owner), uuid.UUID(owner.company_id)
    pipeline = pipeline_of(client, owner)
    hot = uuid.UUID(stage_named(pipeline, "Qualificado"))
    below, above = make_lead(client, owner, pipeline), make_lead(client, owner, pipeline)
    for card in (below, above):  # the hot column: above, below (top first)
        with container.database.tenant(company) as session:
            moves.move_lead(
                session=session, clock=container.clock, actor=actor, lead_id=uuid.UUID(card["id"]),
                data=LeadMove(to_stage_id=hot, version=1),
            )  # fmt: skip
    dropped = [uuid.UUID(make_lead(client, owner, pipeline)["id"]) for _ in range(THREADS)]
    start = threading.Barrier(THREADS)

    def mover(lead_id: uuid.UUID) -> Callable[[], None]:
        def work() -> None:
            start.wait()
            with container.database.tenant(company) as session:
                moves.move_lead(
                    session=session, clock=container.clock, actor=actor, lead_id=lead_id,
                    data=LeadMove(to_stage_id=hot, version=1, after_id=uuid.UUID(above["id"])),
                )  # fmt: skip

        return work

    assert _run([mover(lead_id) for lead_id in dropped]) == []
    with container.database.tenant(company) as session:
        order = list(session.scalars(select(Lead.id).where(Lead.stage_id == hot).order_by(Lead.rank)))
    assert order[0] == uuid.UUID(above["id"]) and order[-1] == uuid.UUID(below["id"])
    assert set(order[1:-1]) == set(dropped)
    assert _duplicate_ranks(container, company) == []


def test_drops_into_one_gap_thousands_of_times_renumber_the_column_in_its_order(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    actor, company = _principal(owner), uuid.UUID(owner.company_id)
    pipeline = pipeline_of(client, owner)
    new = uuid.UUID(stage_named(pipeline, "Novo"))
    bottom, q, p, top = (uuid.UUID(make_lead(client, owner, pipeline)["id"]) for _ in range(4))
    versions = {p: 1, q: 1}
    longest = 0
    for i in range(800):  # p and q in turn, right under the top card: their gap halves each time (long at ~760)
        card = (p, q)[i % 2]
        with container.database.tenant(company, relay=False) as session:  # its events wait in the outbox
            moved = moves.move_lead(
                session=session, clock=container.clock, actor=actor, lead_id=card,
                data=LeadMove(to_stage_id=new, version=versions[card], after_id=top),
            )  # fmt: skip
            versions[card] = moved.lead.version
            longest = max(longest, len(moved.lead.rank))
    assert longest <= moves.RENUMBER_LENGTH
    with container.database.tenant(company) as session:
        order = list(session.scalars(select(Lead.id).where(Lead.stage_id == new).order_by(Lead.rank)))
        keys = list(session.scalars(select(Lead.rank).where(Lead.stage_id == new)))
    assert order == [top, q, p, bottom]  # the last drop (q) right under the top card
    assert max(map(len, keys)) < 20  # renumbered: short keys again (without it, 130 characters by now)
