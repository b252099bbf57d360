"""The demo city's round reproduces the seed: 5 督查组 over 71 units, findings on the ledger, the 督查通报 published."""

import datetime as dt

from tracker.core.weeks import local_now
from tracker.demo.loading import load_demo_city
from tracker.inspections.models import Finding, InspectionBulletin, InspectionRound


def test_the_demo_round_sent_5_groups_to_71_units_published_its_bulletin_and_rechecked_part(conn, config):
    load_demo_city(config)
    today = local_now(config["city"]["timezone"]).date()
    row = InspectionRound.with_counts(today).get()
    assert (row.group_count, row.visit_count) == (5, 71)
    assert row.finding_count == 12 and row.rectified == 6 and row.pending == 6 and row.overdue == 1
    bulletin = InspectionBulletin.get()
    assert bulletin.is_published and "5个督查组深入到71个单位" in bulletin.preamble
    assert bulletin.published_on < today - dt.timedelta(days=20)
    rechecks = sorted(f.recheck for f in Finding.select().where(Finding.recheck.is_null(False)))
    assert rechecks == ["not_rectified", "rectified", "rectified", "rectified", "rectified"]
