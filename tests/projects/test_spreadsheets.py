"""The project list (包抓清单) as Excel: importing the sheet offices keep, exporting one that imports back."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sheets import COLUMNS, office_book, phone_of, row, xlsx

from tracker.accounts.models import LeadOfficial
from tracker.core.db import db
from tracker.projects.models import KINDS, Change, Milestone, Project
from tracker.projects.registry import archive_project, save_project
from tracker.projects.sheet_export import export_project_list
from tracker.projects.sheet_import import SheetError, import_project_list


def import_sections(sections, config, user=None):
    return import_project_list(xlsx(office_book(sections)), user, config)


def listed():
    """{code: project} with the lead official joined, as a user would read the list."""
    return {p.code: p for p in Project.select(Project, LeadOfficial).join(LeadOfficial)}


def shown(project):
    """What the office checks of an imported project, as the list shows it."""
    kind, leader, deadline = KINDS[project.kind], project.lead_official.name, project.start_deadline.isoformat()
    money = [project.total_investment, project.annual_plan_investment]
    return [project.industry_chain, kind, leader, project.lead_department, *money, deadline]


@pytest.fixture
def leaders(official):
    with db.connection_context():
        LeadOfficial.create(name="李明", title="副市长", email="li@example.gov.cn")


# Import ------------------------------------------------------------------------


def test_an_office_style_sheet_imports_every_project_with_its_values(conn, config, leaders):
    book = office_book(
        {
            "一、化工产业链（2个）": [
                row("HG-001"),
                row("HG-002", kind="续建", lead_official=None, lead_department=None),
            ],
            "二、文旅产业链（1个）": [row("WL-001", lead_official="李明", start_deadline=dt.datetime(2026, 5, 20))],
        }
    )
    # 市级包抓领导 and 包抓部门 merged down over both chemical projects, as offices do.
    book.active.merge_cells("I6:I7")
    book.active.merge_cells("J6:J7")

    result = import_project_list(xlsx(book), None, config)

    assert (result.created, result.updated) == (3, 0)
    projects = listed()
    assert sorted(projects) == ["HG-001", "HG-002", "WL-001"]
    assert shown(projects["HG-002"]) == ["化工产业链", "续建", "王建国", "市发展改革委", 10_000, 2_000, "2026-03-31"]
    assert shown(projects["WL-001"]) == ["文旅产业链", "新建", "李明", "市发展改革委", 10_000, 2_000, "2026-05-20"]
    assert projects["HG-002"].owner.username == phone_of("HG-002")


def test_procedures_are_planned_back_from_the_deadline_when_the_sheet_gives_none(conn, config, official):
    import_sections({"一、化工产业链": [row("HG-001", start_deadline="2026-06-30")]}, config)
    planned = {m.kind: m.planned_on for m in Milestone.select()}
    assert planned["approval"] == dt.date(2026, 6, 30) - dt.timedelta(days=config["milestones"]["approval"])
    assert planned["start"] == dt.date(2026, 6, 30)
    assert planned["completion"] is None


def test_dates_typed_as_text_are_read_as_offices_mean_them(conn, config, official):
    spellings = {
        "2026年3月底前": dt.date(2026, 3, 31),
        "2026年2月": dt.date(2026, 2, 28),
        "2026年3月15日": dt.date(2026, 3, 15),
        "2026-03-15": dt.date(2026, 3, 15),
        "2026/3/15": dt.date(2026, 3, 15),
        "2026.3.15": dt.date(2026, 3, 15),
    }
    rows = [row(f"D-{i}", start_deadline=text) for i, text in enumerate(spellings)]
    import_sections({"一、化工产业链": rows}, config)
    projects = listed()
    assert [projects[f"D-{i}"].start_deadline for i in range(len(spellings))] == list(spellings.values())


def test_amounts_as_text_fractions_or_in_yi_yuan_are_stored_exactly_in_wan_yuan(conn, config, official):
    rows = [row("A-1", total_investment="1,200", annual_plan_investment=100.5), row("A-2", annual_plan_investment=0.4)]
    book = office_book({"一、化工产业链": rows})
    book.active["K4"] = "总投资（亿元）"
    import_project_list(xlsx(book), None, config)
    projects = listed()
    assert (projects["A-1"].total_investment, projects["A-1"].annual_plan_investment) == (12_000_000, Decimal("100.5"))
    assert (projects["A-2"].total_investment, projects["A-2"].annual_plan_investment) == (100_000_000, Decimal("0.4"))


def test_one_bad_row_imports_nothing_and_names_the_row(conn, config, official):
    rows = [row("HG-001"), row("HG-002", total_investment=None), row("HG-003")]
    with pytest.raises(SheetError) as caught:
        import_sections({"一、化工产业链（3个）": rows}, config)
    assert caught.value.problems == ["第7行：总投资不能为空"]
    assert Project.select().count() == 0


def test_every_bad_row_is_reported_with_its_reason(conn, config, official):
    rows = [
        row("HG-001"),
        row("HG-002", total_investment=-5),
        row("HG-003", total_investment="约一亿", start_deadline="明年开春"),
        row("HG-001", kind="改建"),
    ]
    with pytest.raises(SheetError) as caught:
        import_sections({"一、化工产业链": rows}, config)
    assert caught.value.problems == [
        "第7行：总投资不能为负数",
        "第8行：总投资应为数字（万元），收到“约一亿”",
        "第8行：开工时限应为日期，收到“明年开春”",
        "第9行：建设性质应为 新建 或 续建，收到“改建”",
        "第9行：与《Sheet》第6行是同一个项目",
    ]
    assert Project.select().count() == 0


def test_a_file_that_is_not_an_xlsx_is_refused_clearly(conn, config):
    with pytest.raises(SheetError, match=r"无法读取文件：请上传 Excel 的 \.xlsx 文件"):
        import_project_list(io.BytesIO(b"\xd0\xcf\x11\xe0 an old .xls"), None, config)


def test_reimporting_an_updated_list_updates_projects_by_code(conn, config, official, make_user):
    office = make_user("office", "office")
    import_sections({"一、化工产业链": [row("HG-001"), row("HG-002")]}, config, office)
    updated = [row("HG-001"), row("HG-002", name="乙烯二期", total_investment=15_000), row("HG-003")]

    result = import_sections({"一、化工产业链": updated}, config, office)

    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    projects = listed()
    assert len(projects) == 3
    assert (projects["HG-002"].name, projects["HG-002"].total_investment) == ("乙烯二期", 15_000)
    changes = Change.select().where((Change.project == projects["HG-002"]) & (Change.field == "total_investment"))
    change = changes.order_by(Change.id.desc()).first()
    assert (change.old_value, change.new_value, change.user_id) == ("10000", "15000", office.id)


def test_reimporting_the_code_of_an_archived_project_brings_it_back(conn, config, official, make_project):
    archive_project(make_project(code="HG-001"), None)
    result = import_sections({"一、化工产业链": [row("HG-001")]}, config)
    assert (result.created, result.updated) == (0, 1)
    assert [p.code for p in Project.active()] == ["HG-001"]


def test_reimport_moves_procedures_with_a_changed_deadline(conn, config, official):
    import_sections({"一、化工产业链": [row("HG-001", start_deadline="2026-06-30")]}, config)
    import_sections({"一、化工产业链": [row("HG-001", start_deadline="2026-08-31")]}, config)
    planned = {m.kind: m.planned_on for m in Milestone.select()}
    assert planned["start"] == dt.date(2026, 8, 31)
    assert planned["land"] == dt.date(2026, 8, 31) - dt.timedelta(days=config["milestones"]["land"])


def saved_state(code):
    """What the office would see of a project, less what differs by design (code, phone, times)."""
    project = Project.get(Project.code == code)
    own = {"id", "code", "responsible_phone", "owner", "created_at", "updated_at"}
    fields = {k: v for k, v in project.__data__.items() if k not in own}
    owner = {k: getattr(project.owner, k) for k in ("display_name", "role", "email", "password_hash", "active")}
    changes = sorted(
        ((c.field, c.old_value, c.new_value, c.user_id) for c in project.changes if c.field not in own), key=repr
    )
    return fields, owner, changes, sorted((m.kind, m.planned_on) for m in project.milestones)


def test_an_imported_project_is_saved_as_the_form_saves_it(conn, config, official, make_user):
    """The form and the import both write through registry.save_projects, the form naming the
    project it edits, the import matching by code: a project comes out the same either way."""
    office = make_user("office", "office")
    values = dict(zip(COLUMNS, row("SHEET-1", kind="续建"), strict=True))
    values.update(code="FORM-1", responsible_phone="13900000901", responsible_email="", industry_chain="化工产业链")
    values.update(kind="continuing", start_deadline=dt.date(2026, 3, 31), category="化工产业链")
    form_project = save_project(values, office, config["milestones"])
    import_sections({"一、化工产业链": [row("SHEET-1", kind="续建")]}, config, office)
    assert saved_state("SHEET-1") == saved_state("FORM-1")

    changed = {"name": "新名称", "total_investment": 20_000, "start_deadline": dt.date(2026, 9, 30)}
    save_project({**values, **changed}, office, config["milestones"], project=form_project)
    import_sections({"一、化工产业链": [row("SHEET-1", kind="续建", **changed)]}, config, office)
    assert saved_state("SHEET-1") == saved_state("FORM-1")


# Export ------------------------------------------------------------------------


def test_an_exported_list_imports_back_unchanged(conn, config, make_project):
    whole = {"total_investment": 10_000, "annual_plan_investment": 5_000}  # cents: the test after the next
    make_project(
        code="XM-1", name='=HYPERLINK("http://x")', kind="continuing", responsible_phone="+8613900000001", **whole
    )
    make_project(code="XM-2", project_unit="@联合体", responsible_email="li@example.cn", **whole)
    Milestone.update(planned_on=dt.date(2026, 1, 5)).where(Milestone.kind == "completion").execute()
    before = {p.code: p.__data__ for p in Project.select()}
    milestones_before = sorted(Milestone.select(Milestone.kind, Milestone.planned_on).tuples())
    changes_before = Change.select().count()
    exported = export_project_list(Project.active())

    result = import_project_list(io.BytesIO(exported), None, config)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert {p.code: p.__data__ for p in Project.select()} == before
    assert sorted(Milestone.select(Milestone.kind, Milestone.planned_on).tuples()) == milestones_before
    assert Change.select().count() == changes_before


def test_an_exported_amount_is_a_number_to_the_cent(conn, make_project):
    make_project(code="XM-1", total_investment=Decimal("113934.98"), annual_plan_investment=Decimal("0.35"))
    sheet = load_workbook(io.BytesIO(export_project_list(Project.active()))).active
    project = dict(zip([c.value for c in sheet[2]], sheet[3], strict=True))
    total, plan = project["总投资（万元）"], project["年度计划投资（万元）"]
    assert (total.data_type, total.number_format) == ("n", "#,##0.00")
    assert (Decimal(repr(total.value)), Decimal(repr(plan.value))) == (Decimal("113934.98"), Decimal("0.35"))


def test_an_exported_amount_imports_back_to_the_cent(conn, config, make_project):
    make_project(code="XM-1", total_investment=Decimal("113934.98"), annual_plan_investment=Decimal("5000.25"))
    exported = export_project_list(Project.active())
    result = import_project_list(io.BytesIO(exported), None, config)
    assert (result.updated, result.unchanged) == (0, 1)
    project = Project.get(Project.code == "XM-1")
    assert (project.total_investment, project.annual_plan_investment) == (Decimal("113934.98"), Decimal("5000.25"))


def test_export_escapes_cells_a_spreadsheet_would_run_as_formulas(conn, make_project):
    make_project(code="XM-1", name="=cmd|' /C calc'!A0", project_unit="-2+3", responsible_phone="+8613900000001")
    sheet = load_workbook(io.BytesIO(export_project_list(Project.active()))).active
    header = [c.value for c in sheet[2]]
    project = {label: cell for label, cell in zip(header, sheet[3], strict=True)}
    assert project["项目名称"].value == "'=cmd|' /C calc'!A0"
    assert project["项目单位"].value == "'-2+3"
    assert project["联系电话"].value == "'+8613900000001"
    assert all(cell.data_type != "f" for cell in sheet[3])
    assert project["开工时限"].is_date


def test_a_phone_that_is_no_phone_number_is_a_problem_of_its_row(conn, config, official):
    rows = [row("HG-001"), row("HG-002", responsible_phone="138123"), row("HG-003", responsible_phone=13812345678)]
    with pytest.raises(SheetError) as caught:
        import_sections({"一、化工产业链（3个）": rows}, config)
    assert caught.value.problems == [
        "第7行：联系电话应为手机号（如 13812345678）或带区号的固定电话（如 029-87654321），可加 +86"
    ]
    assert Project.select().count() == 0


def _with_coordinates(latitude, longitude):
    """The exported list of the projects so far, with 纬度 and 经度 written into its first project's row."""
    book = load_workbook(io.BytesIO(export_project_list(Project.active())))
    sheet = book.active
    columns = {cell.value: cell.column for cell in sheet[2]}
    sheet.cell(row=3, column=columns["纬度"], value=latitude)
    sheet.cell(row=3, column=columns["经度"], value=longitude)
    return xlsx(book)


def test_the_import_reads_latitude_and_longitude(conn, config, make_project):
    make_project(code="XM-1")
    result = import_project_list(_with_coordinates(34.26, "东经108.94°"), None, config)
    assert result.updated == 1
    project = Project.get(Project.code == "XM-1")
    assert (project.latitude, project.longitude) == (34.26, 108.94)


def test_a_coordinate_that_is_no_number_of_degrees_refuses_the_list(conn, config, make_project):
    make_project(code="XM-1")
    for latitude, problem in (("北边", "纬度应为度数（如 34.26），收到“北边”"), (134, "纬度应为 -90 到 90 之间的度数")):
        with pytest.raises(SheetError) as caught:
            import_project_list(_with_coordinates(latitude, 108.9), None, config)
        assert any(problem in p for p in caught.value.problems), caught.value.problems
    assert Project.get(Project.code == "XM-1").latitude is None
