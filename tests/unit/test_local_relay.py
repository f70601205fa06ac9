"""The local runtime's relay off the request path: every company that committed events is relayed, once per
burst, and what is in hand when the runtime stops is relayed before it does."""

from __future__ import annotations

import threading
import uuid

from functions.local.relay import BackgroundRelay


def test_each_company_is_relayed_and_a_burst_of_commits_is_relayed_once_when_the_relay_is_busy() -> None:
    busy, release = threading.Event(), threading.Event()
    relayed: list[uuid.UUID] = []

    def relay(company_id: uuid.UUID) -> None:
        relayed.append(company_id)
        busy.set()
        release.wait(5)

    stop = threading.Event()
    background = BackgroundRelay(relay, stop=stop)
    background.start()
    first, second = uuid.uuid4(), uuid.uuid4()
    background.submit(first)
    assert busy.wait(5)  # relaying the first company, held there
    for _ in range(3):  # meanwhile both companies commit again, the second one three times
        background.submit(second)
    background.submit(first)
    stop.set()  # the runtime stops: what is in hand is relayed all the same
    release.set()
    background.join(timeout=5)
    assert relayed == [first, second, first]
