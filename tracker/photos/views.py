"""现场照片 pages: adding photos to a filed weekly report, and serving them to those who may see the project."""

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_login import current_user, login_required

from tracker.core.db import db
from tracker.photos.attaching import (
    PhotoError,
    attach_photos,
    attached_message,
    check_open,
    photo_file,
    read_uploads,
)
from tracker.photos.forms import PhotosForm, chosen_files
from tracker.photos.models import Photo
from tracker.projects.models import ProgressReport
from tracker.web.access import can, refuse, require, visible_project
from tracker.web.audit import request_actor
from tracker.web.limits import photo_upload
from tracker.web.responses import image_response

bp = Blueprint("photos", __name__)


@bp.post("/projects/<code>/report/<week>/photos")
@require("report")
@photo_upload
def add(code, week):
    """Attach photos to a filed report; the report itself is not filed again."""
    project = visible_project(current_user, code)
    report = ProgressReport.get_or_none(project=project, week=week) or abort(404)
    form = PhotosForm()
    if form.validate_on_submit():
        try:
            flash(*attached_message(attach(report, chosen_files(form.photos))))
        except PhotoError as e:
            flash(str(e), "error")
    return redirect(url_for("reports.edit", code=project.code, week=week, _anchor="photos"))


def attach(report, files):
    """Read ``files`` and attach them to ``report`` for the signed-in user, in one transaction; raises PhotoError."""
    config = current_app.config["TRACKER"]
    user = current_user._get_current_object()
    uploads = read_uploads(files, config)
    check_open(report, config, past_cutoff=can(user, "reopen_reports"))
    with db.atomic():
        return attach_photos(report, uploads, user, config, actor=request_actor())


@bp.get("/photos/<int:photo_id>", defaults={"kind": "original"})
@bp.get("/photos/<int:photo_id>/thumbnail", defaults={"kind": "thumbnail"})
@login_required
def show(photo_id, kind):
    """A photo as uploaded (EXIF and GPS kept), or its thumbnail, for those who may see its project."""
    photo = Photo.with_project(photo_id) or abort(404)
    if not can(current_user, "see", photo.project):
        refuse("see")
    return image_response(photo_file(photo, kind, current_app.config["TRACKER"]))
