"""The 红旗 and 蜗牛 rules fire exactly where the quarter was built to make them fire."""

from decimal import Decimal

from quarter import quarter_city_fixture  # noqa: F401 (the fixture quarter_city)

from tracker.core.config import DEFAULTS
from tracker.honours.rules import honours, quarter_of

SETTINGS = DEFAULTS["honours"]
QUARTER = "2026-Q3"


def lists(settings=SETTINGS, overdue_days=0):
    found = honours(quarter_of(QUARTER), settings, overdue_days)
    return {kind: [p.code for p in projects] for kind, projects in found.items()}, found


def test_red_flags_are_ahead_of_plan_with_everything_on_time_most_ahead_first(quarter_city):
    codes, found = lists({**SETTINGS, "red_flag_min_points": 1.0})
    # EDGE is exactly 1.0 point ahead: not more than the threshold. LATE-MS missed a milestone,
    # OVERDUE has an overdue problem, SLOW missed a report, OLD-MS left a milestone of June unreached:
    # none of them is a red flag.
    assert codes["red_flag"] == ["AHEAD-2", "AHEAD-1"]
    first = found["red_flag"][0]
    assert first.score == Decimal("2.00")
    words = {r.rule: r.detail for r in first.reasons}
    assert set(words) == {"ahead_of_plan", "milestones_on_time", "reports_on_time", "nothing_overdue"}
    assert "截至 2026-10-04（2026-W40）累计完成投资 7,789.04万元" in words["ahead_of_plan"]
    assert "高于序时进度 2.0 个百分点" in words["ahead_of_plan"]
    assert words["reports_on_time"] == "2026-W39 至 2026-W40 共 2 周周报均在周调度关账前报送"


def test_a_project_exactly_at_the_threshold_is_a_red_flag_once_the_threshold_is_lower(quarter_city):
    assert "EDGE" not in lists({**SETTINGS, "red_flag_min_points": 1.0})[0]["red_flag"]
    assert lists({**SETTINGS, "red_flag_min_points": 0.9})[0]["red_flag"] == ["AHEAD-2", "AHEAD-1", "EDGE"]


def test_snails_carry_every_demerit_with_its_evidence_most_first(quarter_city):
    codes, found = lists({**SETTINGS, "red_flag_min_points": 1.0, "snail_count": 10})
    # SLOW: 20.9 behind + a missing week (2) = 22.9; OVERDUE: a problem (5); LATE-MS: a milestone (5);
    # the ties 0.5 behind each, TIE-A before TIE-B by code. EDGE, ahead, has no demerit.
    assert codes["snail"] == ["SLOW", "LATE-MS", "OVERDUE", "TIE-A", "TIE-B"]
    by_code = {p.code: p for p in found["snail"]}
    assert by_code["SLOW"].score == Decimal("22.90")
    slow = {r.rule: r.detail for r in by_code["SLOW"].reasons}
    assert "低于序时进度 20.9 个百分点" in slow["behind_plan"]
    assert slow["reports_missing"] == "2026-W39 至 2026-W40 共 2 周中缺报 1 周：2026-W39"
    late = {r.rule: r.detail for r in by_code["LATE-MS"].reasons}
    assert (
        late["milestones_missed"] == "本季度到期节点中 1 个未按期完成：“立项”计划 2026-09-10，2026-09-20 完成，晚 10 天"
    )
    overdue = {r.rule: r.detail for r in by_code["OVERDUE"].reasons}
    assert "限 2026-09-01 解决，截至 2026-09-30 仍未解决，已逾期 29 天" in overdue["problem_overdue"]
    assert by_code["TIE-A"].score == by_code["TIE-B"].score == Decimal("0.50")


def test_the_lists_hold_at_most_their_configured_count(quarter_city):
    codes, _ = lists({**SETTINGS, "red_flag_count": 1, "snail_count": 2})
    assert codes == {"red_flag": ["AHEAD-2"], "snail": ["SLOW", "LATE-MS"]}


def test_the_grace_for_overdue_problems_is_the_lagging_lists(quarter_city):
    codes, _ = lists({**SETTINGS, "red_flag_min_points": 1.0}, overdue_days=30)
    assert "OVERDUE" in codes["red_flag"]  # 29 days late is within a 30-day grace


def test_a_red_flag_is_never_a_snail(quarter_city):
    codes, _ = lists({**SETTINGS, "red_flag_min_points": 0.0, "snail_count": 20})
    assert not set(codes["red_flag"]) & set(codes["snail"])


def test_a_quarter_without_snapshots_has_empty_lists(conn):
    assert honours(quarter_of("2025-Q1"), SETTINGS, 0) == {"red_flag": [], "snail": []}
