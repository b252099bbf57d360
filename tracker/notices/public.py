"""Public pages, readable without login: published notices, each quarter's published 红旗 and 蜗牛 lists,
and each project's record in them.

Only published notices and 红旗/蜗牛 lists appear here, and only what a list itself
says: no drafts, no removed entries or their reasons, no phone numbers or email
addresses. A project has a page only while a published notice lists it; any other
code is answered exactly as a code no project has."""

from flask import Blueprint, abort, current_app, render_template

from tracker.honours.models import HonourEntry, HonourList
from tracker.honours.rules import KINDS
from tracker.lagging.rules import RANKED_BY
from tracker.notices.drafting import notice_document
from tracker.notices.models import CriticismNotice, NoticeEntry, listed_project, notices_of_project
from tracker.photos.attaching import photo_file
from tracker.photos.models import Photo
from tracker.web.listing import Page
from tracker.web.responses import image_response, send_download

bp = Blueprint("public", __name__, url_prefix="/public")

# The latest photos a project's public page shows.
PUBLIC_PHOTOS = 12


def _published(notice_id):
    notice = CriticismNotice.get_or_none(CriticismNotice.id == notice_id)
    if notice is None or not notice.is_published:
        abort(404)
    return notice


@bp.get("/notices/")
def notices():
    return render_template("notices/public/notices.html", page=Page(CriticismNotice.published()))


@bp.get("/notices/<int:notice_id>")
def notice(notice_id):
    notice = _published(notice_id)
    return render_template(
        "notices/public/notice.html", notice=notice, listed=list(notice.listed()), RANKED_BY=RANKED_BY
    )


@bp.get("/notices/<int:notice_id>.<any(xlsx, docx):kind>")
def download(notice_id, kind):
    notice = _published(notice_id)
    return send_download(
        notice_document(notice, kind, current_app.config["TRACKER"]["notices"]), f"{notice.number}.{kind}"
    )


@bp.get("/honours/")
def honours_index():
    return render_template("honours/public_index.html", page=Page(HonourList.published()))


@bp.get("/honours/<quarter>")
def honours(quarter):
    """A quarter's published 红旗 and 蜗牛 lists: the entries that stayed on them, with their reasons."""
    honour_list = HonourList.get_or_none((HonourList.quarter == quarter) & (HonourList.state == "published"))
    if honour_list is None:
        abort(404)
    return render_template(
        "honours/public.html", honour_list=honour_list, listed=honour_list.listed_by_kind(), KINDS=KINDS
    )


@bp.get("/projects/<code>")
def project(code):
    """A project's public record: what it is, who builds it, and the notices that named it.

    It exists while a published notice or 红旗/蜗牛 list names the project (see listed_project).
    """
    project = listed_project(code, (NoticeEntry, HonourEntry)) or abort(404)
    return render_template(
        "notices/public/project.html",
        project=project,
        notices=list(notices_of_project(project)),
        photos=Photo.latest_of_project(project, PUBLIC_PHOTOS),
    )


@bp.get("/photos/<int:photo_id>/<any(public, thumbnail):kind>.jpg")
def photo(photo_id, kind):
    """A listed project's photo as re-encoded without EXIF (no GPS, no camera), full size or as a thumbnail."""
    photo = Photo.with_project(photo_id) or abort(404)
    listed_project(photo.project.code, (NoticeEntry, HonourEntry)) or abort(404)
    return image_response(photo_file(photo, kind, current_app.config["TRACKER"]), public=True)
