"""Importing and exporting the project list as Excel (.xlsx).

openpyxl is imported by the views that need it, through tracker.spreadsheets,
so that it stays out of the web app's start-up.
"""

import io

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from .auth import require_role
from .forms import ImportForm
from .listing import request_filters, today
from .models import Project

bp = Blueprint("imports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/projects/import", methods=["GET", "POST"])
@require_role("office")
def import_list():
    """Upload the list: all rows are written, or none and every problem is shown (422)."""
    from .spreadsheets import SheetError, import_project_list

    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            result = import_project_list(
                form.file.data.stream, current_user._get_current_object(), current_app.config["TRACKER"]
            )
        except SheetError as e:
            problems = e.problems
        else:
            unchanged = f"，{result.unchanged} 个无变化" if result.unchanged else ""
            flash(f"导入成功：新增 {result.created} 个，更新 {result.updated} 个{unchanged}", "success")
            return redirect(url_for("projects.index"))
    status = 422 if problems or form.errors else 200
    return render_template("imports/import.html", form=form, problems=problems), status


@bp.get("/projects/export")
@require_role("office", "leader", "inspector")
def export_list():
    """Download the projects matching the filter bar's filters as .xlsx."""
    from .spreadsheets import export_project_list

    _args, condition, _week = request_filters()
    buffer = io.BytesIO()
    export_project_list(Project.select().where(condition), buffer)
    buffer.seek(0)
    # send_file writes the UTF-8 name as filename*=UTF-8''… with an ASCII fallback.
    filename = f"重点项目清单-{today().isoformat()}.xlsx"
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=filename)
