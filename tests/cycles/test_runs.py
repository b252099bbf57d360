"""A cycle's period is claimed once in the database, whoever asks and however often."""

import datetime as dt
import multiprocessing

from tracker.core.db import bind_database, db
from tracker.cycles.runs import CycleRun

LEASE = dt.timedelta(minutes=10)


def test_the_first_claim_wins_and_a_second_gets_nothing(conn):
    first = CycleRun.claim("weekly", "2026-W47", LEASE, holder="a")
    assert first is not None and first.claimed_by == "a"
    assert CycleRun.claim("weekly", "2026-W47", LEASE, holder="b") is None
    assert CycleRun.select().count() == 1


def test_other_periods_and_cycles_are_separate_claims(conn):
    assert CycleRun.claim("weekly", "2026-W47", LEASE, holder="a")
    assert CycleRun.claim("weekly", "2026-W48", LEASE, holder="a")
    assert CycleRun.claim("monthly", "2026-11", LEASE, holder="a")


def test_a_run_left_running_past_its_lease_is_taken_over_once(conn):
    now = dt.datetime(2026, 11, 23, 9, 0)
    CycleRun.claim("weekly", "2026-W47", LEASE, now=now, holder="dead")
    later = now + LEASE + dt.timedelta(seconds=1)
    taken = CycleRun.claim("weekly", "2026-W47", LEASE, now=later, holder="b")
    assert taken.claimed_by == "b" and taken.attempts == 2
    assert taken.lease_until == later + LEASE
    assert CycleRun.claim("weekly", "2026-W47", LEASE, now=later, holder="c") is None


def test_a_finished_run_is_never_taken_over(conn):
    now = dt.datetime(2026, 11, 23, 9, 0)
    CycleRun.claim("weekly", "2026-W47", LEASE, now=now, holder="a").finish("sent", {"ok": True})
    assert CycleRun.claim("weekly", "2026-W47", LEASE, now=now + 10 * LEASE, holder="b") is None


def _claim_in_process(url, holder, barrier, results):
    bind_database(url)
    barrier.wait()
    with db.connection_context():
        results.put((holder, CycleRun.claim("weekly", "2026-W47", LEASE, holder=holder) is not None))


def test_concurrent_processes_have_exactly_one_winner(app, config):
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    procs = [
        ctx.Process(target=_claim_in_process, args=(config["database"]["url"], f"p{i}", barrier, results))
        for i in range(4)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert sum(won for _, won in outcomes) == 1
