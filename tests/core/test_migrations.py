"""A database made by an older version gains the columns a newer one added, and keeps its rows."""

from playhouse.migrate import SchemaMigrator, migrate

from tracker.core.db import db
from tracker.cycles.snapshots import ProjectSnapshot, take_snapshot
from tracker.projects.models import Milestone, Project
from tracker.schema import create_tables


def test_starting_on_an_older_database_adds_the_new_columns_and_keeps_the_rows(conn, config, make_project):
    project = make_project()
    take_snapshot("2026-W47", config["warnings"])
    migrator = SchemaMigrator.from_database(db.obj)
    with db.atomic():
        migrate(
            migrator.drop_column("project_snapshot", "milestone_due"),
            migrator.drop_column("project_snapshot", "project_unit"),
            migrator.drop_column("project", "milestone"),
            migrator.drop_column("project", "milestone_due"),
        )
    assert "milestone_due" not in {c.name for c in db.get_columns("project_snapshot")}
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    row = ProjectSnapshot.get(ProjectSnapshot.week == "2026-W47")
    assert (row.project_unit, row.milestone_due) == ("", None)
    # The projects' next milestones, which the lights read, are filled in at once.
    first = Milestone.get((Milestone.project == project.id) & (Milestone.kind == "approval"))
    assert Project.get_by_id(project.id).milestone_due == first.planned_on
