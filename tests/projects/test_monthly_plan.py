"""分月计划 and 序时进度: the plan to date of a day, how it is entered, imported and exported, and what it lights."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from pages import field_errors, post, project_form
from sheets import xlsx
from test_inclusion import light_of

from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.honours.rules import plan_difference_points
from tracker.projects.models import MONTHLY_PLAN_COLUMNS, Project
from tracker.projects.monthly_plan import (
    EVEN_SPREAD_NOTE,
    even_share,
    plan_to_date,
    plan_to_date_sql,
    progress_words,
    schedule_progress,
)
from tracker.projects.sheet_export import export_project_list
from tracker.projects.sheet_reading import read_project_list

# A plan weighted to the second half, cumulative 万元 at each month's end, of an annual plan of 1,200.
PLAN = [Decimal(v) for v in (24, 60, 120, 192, 288, 384, 504, 636, 780, 924, 1068, 1200)]


def months(values):
    return dict(zip(MONTHLY_PLAN_COLUMNS, values, strict=True))


def test_the_plan_to_date_is_interpolated_by_day_within_the_month():
    # 15 April of 30 days: half way from March's 120 to April's 192.
    assert plan_to_date(Decimal(1200), PLAN, dt.date(2026, 4, 15)) == Decimal("156.00")
    # 10 February of 28 days: 24 + 36 × 10/28 = 36.857… → 36.86.
    assert plan_to_date(Decimal(1200), PLAN, dt.date(2026, 2, 10)) == Decimal("36.86")


def test_a_months_last_day_is_its_cumulative_value_and_the_next_day_starts_the_next_month():
    assert plan_to_date(Decimal(1200), PLAN, dt.date(2026, 6, 30)) == PLAN[5]
    # 1 July: one day of July's 120, 384 + 120/31 = 387.87.
    assert plan_to_date(Decimal(1200), PLAN, dt.date(2026, 7, 1)) == Decimal("387.87")


def test_the_year_starts_from_nothing_on_1_january_and_ends_at_december_on_31_december():
    assert plan_to_date(Decimal(1200), PLAN, dt.date(2026, 1, 1)) == Decimal("0.77")  # 24 / 31
    assert plan_to_date(Decimal(1200), PLAN, dt.date(2026, 12, 31)) == Decimal(1200)


def test_without_a_monthly_plan_the_annual_plan_is_spread_evenly_over_the_days():
    none = [None] * 12
    assert plan_to_date(Decimal(365), none, dt.date(2026, 1, 1)) == Decimal(1)
    assert plan_to_date(Decimal(365), none, dt.date(2026, 3, 1)) == Decimal(60)
    assert plan_to_date(Decimal(365), none, dt.date(2026, 12, 31)) == Decimal(365)
    assert plan_to_date(None, none, dt.date(2026, 3, 1)) is None
    assert even_share(dt.date(2028, 12, 31)) == 100  # a leap year ends at the whole plan too


def test_schedule_progress_is_completed_against_plan_to_date_in_points():
    progress = schedule_progress(Decimal("745.2"), Decimal(1200), Decimal("699.6"))
    assert progress == {"plan_to_date": 58.3, "completed": 62.1, "difference_points": 3.8}
    assert progress_words(progress) == "完成年度计划的 62.1%，高于序时进度 3.8 个百分点"
    behind = schedule_progress(Decimal(300), Decimal(1200), Decimal(600))
    assert progress_words(behind) == "完成年度计划的 25.0%，低于序时进度 25.0 个百分点"
    assert schedule_progress(Decimal(0), None, None) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2026, 1, 1), "0.77"), (dt.date(2026, 4, 15), "156.00"), (dt.date(2026, 12, 31), "1200.00")],
)
def test_sql_gives_the_same_plan_to_date_as_python(conn, make_project, day, expected):
    monthly = make_project(annual_plan_investment=Decimal(1200), **months(PLAN))
    even = make_project(annual_plan_investment=Decimal(365))
    due = dict(Project.select(Project.id, plan_to_date_sql(Project, day)).tuples())
    assert round(Decimal(str(due[monthly.id])), 2) == Decimal(expected)
    assert round(Decimal(str(due[even.id])), 2) == plan_to_date(Decimal(365), [None] * 12, day)


# A plan heavy in spring: 700 due by 15 April, where the even spread asks only 1,200 × 105/365 = 345.21.
SPRING = [Decimal(v) for v in (100, 300, 600, 800, 900, 1000, 1100, 1200, 1200, 1200, 1200, 1200)]
MID_APRIL = dt.date(2026, 4, 15)


@pytest.fixture
def started(conn, make_project):
    """A project under way and included (no other rule lights it), with ``completed`` 万元 done."""

    def make(completed, monthly=SPRING, **values):
        project = make_project(annual_plan_investment=Decimal(1200), **months(monthly), **values)
        Project.update(
            status="started",
            started_on=dt.date(2026, 3, 1),
            investment_completed=completed,
            statistics_included=True,
        ).where(Project.id == project.id).execute()
        return Project.get_by_id(project.id)

    return make


def test_the_yellow_light_turns_on_exactly_below_the_monthly_plan_where_the_even_spread_sees_nothing(config, started):
    # Yellow below 90 % of the 700 due: 630. The even spread's 90 % of 345.21 is 310.69, far below.
    assert light_of(started(Decimal("630.00")), MID_APRIL, config) is None
    assert light_of(started(Decimal("629.99")), MID_APRIL, config) == "behind"
    assert light_of(started(Decimal("629.99"), monthly=[None] * 12), MID_APRIL, config) is None
    # Red below 75 % of it: 525.
    assert light_of(started(Decimal("525.00")), MID_APRIL, config) == "behind"
    assert light_of(started(Decimal("524.99")), MID_APRIL, config) == "far_behind"


def test_the_honours_measure_reads_the_monthly_plan(started):
    project = started(Decimal(840))  # 70 % done against 58.33 % due: 11.67 points ahead
    points = Project.select(plan_difference_points(Project, MID_APRIL)).where(Project.id == project.id).scalar()
    assert round(Decimal(str(points)), 2) == Decimal("11.67")


def test_the_project_page_states_its_schedule_progress_and_an_even_spread_says_so(app, office_session, make_project):
    today = local_now(DEFAULTS["city"]["timezone"]).date()
    flat = [Decimal(600)] * 12  # 600 due all year after January: the plan to date is known on any day
    make_project(code="PLAN-1", annual_plan_investment=Decimal(1200), **months(flat))
    make_project(code="EVEN-1", annual_plan_investment=Decimal(1200))
    with db.connection_context():
        Project.update(investment_completed=Decimal(300)).where(Project.code == "PLAN-1").execute()
    page = office_session.get("/projects/PLAN-1").get_data(as_text=True)
    due = Decimal(600) if today.month > 1 else Decimal(600) * today.day / 31
    points = (Decimal(25) - 100 * due / 1200).quantize(Decimal("0.1"))
    assert f"完成年度计划的 25.0%，低于序时进度 {abs(points)} 个百分点" in page
    assert "按分月计划" in page
    assert EVEN_SPREAD_NOTE in office_session.get("/projects/EVEN-1").get_data(as_text=True)


def test_the_form_saves_the_twelve_months_and_refuses_a_decreasing_or_too_large_plan(app, office_session, official):
    form = project_form(code="M-1", annual_plan_investment="1200", **months([str(v) for v in PLAN]))
    assert post(office_session, "/projects/new", form).status_code == 302
    with db.connection_context():
        assert Project.get(Project.code == "M-1").monthly_plan == PLAN
    decreasing = [str(v) for v in PLAN]
    decreasing[4] = "100"  # May below April's 192
    response = post(office_session, "/projects/new", project_form(code="M-2", **months(decreasing)))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "monthly_plan_05") == [
        "分月计划为累计数，不能减少：5月 100万元 少于 4月 192万元"
    ]
    too_large = [str(v) for v in PLAN[:11]] + ["1300"]
    response = post(
        office_session, "/projects/new", project_form(code="M-3", annual_plan_investment="1200", **months(too_large))
    )
    assert "分月计划 12月 累计 1,300万元 超过年度计划投资 1,200万元" in response.get_data(as_text=True)
    partial = [str(v) for v in PLAN[:6]] + [""] * 6
    response = post(office_session, "/projects/new", project_form(code="M-4", **months(partial)))
    assert "分月计划须 12 个月都填写（累计数），或全部留空；未填：7月、8月、9月、10月、11月、12月" in response.get_data(
        as_text=True
    )
    with db.connection_context():
        assert not Project.select().where(Project.code.in_(["M-2", "M-3", "M-4"])).exists()


def month_sheet(header_word, rows):
    """A list with 1月…12月 columns under a 分月计划 group (``header_word`` written beside it, e.g. 当月)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["项目名称", "总投资", "年度计划投资", *(f"{m}月{header_word}" for m in range(1, 13))])
    for name, annual, values in rows:
        sheet.append([name, 10_000, annual, *values])
    return book


def test_the_import_reads_cumulative_months_as_they_are_and_monthly_amounts_added_up():
    monthly_amounts = [24, 36, 60, 72, 96, 96, 120, 132, 144, 144, 144, 132]  # each month's own, summing to 1,200
    reading = read_project_list(
        xlsx(month_sheet("", [("累计项目", 1200, [int(v) for v in PLAN]), ("当月项目", 1200, monthly_amounts)]))
    )
    rows = {row.values["name"]: row.values for row in reading.rows}
    assert [rows["累计项目"][c] for c in MONTHLY_PLAN_COLUMNS] == PLAN
    assert [rows["当月项目"][c] for c in MONTHLY_PLAN_COLUMNS] == PLAN
    assert reading.sheets[0].monthly_plan == {"累计": 1, "逐月": 1}


def test_a_rising_plan_that_does_not_end_at_the_annual_plan_is_read_as_monthly_amounts_unless_the_header_says_累计():
    rising = [10] * 12  # never decreasing, but 10 in December against an annual plan of 120: each month's 10
    reading = read_project_list(xlsx(month_sheet("", [("甲", 120, rising)])))
    assert reading.rows[0].values["monthly_plan_12"] == 120 and reading.sheets[0].monthly_plan == {"逐月": 1}
    reading = read_project_list(xlsx(month_sheet("累计", [("甲", 120, rising)])))
    assert reading.rows[0].values["monthly_plan_12"] == 10 and reading.sheets[0].monthly_plan == {"累计": 1}


def test_the_export_writes_the_months_back_so_that_the_import_reads_the_same_plan(conn, make_project):
    below = [v if v < 1000 else Decimal(1000) for v in PLAN]  # ends below the annual plan: only the header says 累计
    make_project(code="EXP-1", annual_plan_investment=Decimal(1200), **months(below))
    make_project(code="EXP-2")
    content = export_project_list(Project.select())
    header = [cell.value for cell in next(load_workbook(xlsx_bytes(content)).active.iter_rows(min_row=2, max_row=2))]
    assert "1月计划（累计）（万元）" in header and "12月计划（累计）（万元）" in header
    rows = {row.values["code"]: row.values for row in read_project_list(xlsx_bytes(content)).rows}
    assert [rows["EXP-1"][c] for c in MONTHLY_PLAN_COLUMNS] == below
    assert [rows["EXP-2"].get(c) for c in MONTHLY_PLAN_COLUMNS] == [None] * 12


def xlsx_bytes(content):
    return io.BytesIO(content)


def test_the_filter_finds_the_projects_behind_their_plan_to_date(app, office_session, make_project):
    flat = [Decimal(600)] * 12
    make_project(code="BEHIND-1", annual_plan_investment=Decimal(1200), **months(flat))
    make_project(code="AHEAD-1", annual_plan_investment=Decimal(1200), **months(flat))
    with db.connection_context():
        Project.update(investment_completed=Decimal(700)).where(Project.code == "AHEAD-1").execute()
    page = office_session.get("/projects/?behind_schedule=1").get_data(as_text=True)
    assert "BEHIND-1" in page and "AHEAD-1" not in page
