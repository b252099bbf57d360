"""加减分: every point of a department's or county's score is an item of its breakdown, and only published, listed entries count."""

import datetime as dt
from decimal import Decimal

import pytest
from quarter import quarter_city_fixture  # noqa: F401 (the fixture quarter_city)

from tracker.accounts.models import User
from tracker.cycles.consultations import AgendaItem, Decision, record_decision, record_outcome
from tracker.cycles.runs import CycleRun
from tracker.honours.drafting import draft_honours, publish_honours
from tracker.honours.models import HonourEntry
from tracker.notices.drafting import remove_entry
from tracker.scores.points import quarter_scores
from tracker.supervision.orders import issue_order

QUARTER = "2026-Q3"


@pytest.fixture
def scored(quarter_city, config):
    """The quarter's lists drafted (threshold 1.0, so EDGE is no red flag), TIE-B taken off, published;
    an order and a decision overdue at the quarter's end, and a decision carried out in time."""
    config["honours"] = {**config["honours"], "red_flag_min_points": 1.0, "snail_count": 10}
    office = User.get(username="office")
    honour_list = draft_honours(QUARTER, config, office)
    tie_b = HonourEntry.get((HonourEntry.honour_list == honour_list) & (HonourEntry.code == "TIE-B"))
    remove_entry(tie_b, office, "数据核实有误，暂不列入")
    publish_honours(honour_list, office, dt.date(2026, 10, 9))
    issue_order(
        quarter_city["SLOW"],
        office,
        "进度滞后",
        "报送赶工计划",
        dt.date(2026, 9, 20),
        dt.date(2026, 9, 10),
        now=dt.datetime(2026, 9, 10, 9),
    )
    run = CycleRun.create(cycle="monthly", period="2026-08", claimed_by="test", lease_until=dt.datetime(2026, 9, 1))
    item = AgendaItem.create(run=run, project=quarter_city["SLOW"], kind="lagging", title="SLOW", position=1)
    record_decision(
        item, "协调施工用地", "张三", dt.date(2026, 9, 15), office, dt.date(2026, 9, 2), department="市自然资源局"
    )
    done = record_decision(item, "报送赶工计划", "项目单位", dt.date(2026, 9, 15), office, dt.date(2026, 9, 2))
    record_outcome(done, "done", "已报送", dt.date(2026, 9, 14), office)
    return quarter_scores(QUARTER, config)


def unit(scores, kind, name):
    return next(u for u in scores if u["kind"] == kind and u["name"] == name)


def test_every_score_is_the_sum_of_its_breakdown(scored):
    assert scored
    for row in scored:
        assert row["score"] == sum((item["points"] for item in row["breakdown"]), Decimal(0)), row["name"]


def test_each_item_is_traced_to_what_earned_it(scored):
    west = unit(scored, "county", "西城区")
    items = sorted((i["reason"], i["ref"], i["points"]) for i in west["breakdown"])
    assert items == sorted(
        [
            ("红旗项目", "AHEAD-1 项目AHEAD-1", Decimal("0.50")),
            ("蜗牛项目", "SLOW 项目SLOW", Decimal("-0.30")),
            ("蜗牛项目", "LATE-MS 项目LATE-MS", Decimal("-0.30")),
            ("缺报周报", "SLOW 2026-W39", Decimal("-0.05")),
            ("督办逾期未回复", "督办〔2026〕1号（SLOW）", Decimal("-0.20")),
            (
                "会商决定逾期未落实",
                f"决定#{Decision.get(Decision.action == '协调施工用地').id}（SLOW）",
                Decimal("-0.10"),
            ),
        ]
    )
    assert west["score"] == Decimal("-0.45")


def test_problems_orders_and_decisions_count_for_the_department_that_owns_them(scored):
    land = unit(scored, "department", "市自然资源局")
    assert sorted(i["reason"] for i in land["breakdown"]) == ["会商决定逾期未落实", "问题逾期未解决"]
    assert land["score"] == Decimal("-0.20")


def test_an_entry_taken_off_the_list_counts_nowhere(scored):
    transport = unit(scored, "department", "市交通局")
    refs = [i["ref"] for i in transport["breakdown"]]
    assert "TIE-A 项目TIE-A" in refs and "TIE-B 项目TIE-B" not in refs


def test_a_unit_without_items_is_ranked_at_zero_and_units_rank_best_first(scored):
    departments = [u for u in scored if u["kind"] == "department"]
    assert [u["score"] for u in departments] == sorted((u["score"] for u in departments), reverse=True)
    assert departments[0]["kind"] == "department" and scored[-1]["kind"] == "county"


def test_an_unpublished_list_earns_no_points(quarter_city, config):
    draft_honours(QUARTER, config, None)
    reasons = {i["reason"] for u in quarter_scores(QUARTER, config) for i in u["breakdown"]}
    assert not reasons & {"红旗项目", "蜗牛项目"}


def test_the_quarterly_analysis_carries_the_scores_and_drafts_the_lists(quarter_city, config):
    import io

    import openpyxl

    from scheduler.cycles import run_cycle
    from tracker.cycles.analysis_exports import analysis_pdf, analysis_workbook
    from tracker.honours.models import HonourList

    run = run_cycle("quarterly", QUARTER, config)
    assert HonourList.get(HonourList.quarter == QUARTER).state == "draft"  # for the office to review
    stored = run.data["scores"]
    assert stored == quarter_scores(QUARTER, config)
    sheet = openpyxl.load_workbook(io.BytesIO(analysis_workbook(run.data)))["加减分"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    west = next(n for n, row in enumerate(rows) if row[:2] == ("县区", "西城区"))
    items = [row[5] for row in rows[west + 1 :] if row[0] is None][: len(unit(stored, "county", "西城区")["breakdown"])]
    assert round(sum(items), 2) == float(rows[west][2])
    assert analysis_pdf(run.data).startswith(b"%PDF")
