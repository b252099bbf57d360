"""The demo city's special bonds reproduce the seed report: 83 projects on the first batch, the second applied for."""

from tracker.bonds.models import BondApplication, BondBatch, batch_figures
from tracker.core.weeks import local_now
from tracker.demo.loading import load_demo_city
from tracker.lagging.rules import lagging_list, lagging_rules


def test_the_demo_first_batch_lists_83_projects_some_idle_and_the_second_is_applied_for(conn, config):
    load_demo_city(config)
    day = local_now(config["city"]["timezone"]).date()
    settings = config["bonds"]
    second, first = batch_figures(day, settings["idle_days"], settings["idle_share"])
    assert first["batch"].name == f"{day.year}年第一批专项债券" and first["projects"] == 83
    assert 0 < first["spent"] < first["issued"] < first["amount"]
    assert first["idle_projects"] == 4
    assert BondApplication.select().where(BondApplication.batch == second["batch"].id).count() == 22
    idle = [
        p for p in lagging_list(day, lagging_rules(config)).projects if any(r.rule == "bond_idle" for r in p.reasons)
    ]
    assert len(idle) == 4
    assert BondBatch.select().count() == 2
