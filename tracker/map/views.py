"""地图 (/map): the projects one may see as pins coloured by their light, with the battle map's filters.

Leaflet is vendored by the setup (scripts/vendor-leaflet.sh) into static/vendor/leaflet/; where it is
missing the page lists the pinned projects instead and says why."""

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_login import current_user, login_required

from tracker.map.features import feature_collection, unplaced
from tracker.projects.filters import filter_choices
from tracker.projects.lights import LEVELS, light_thresholds
from tracker.web.access import can
from tracker.web.listing import Page, request_filters, today

bp = Blueprint("map", __name__)

# Within the static folder: the file whose presence says the setup vendored Leaflet.
LEAFLET = Path("vendor/leaflet/leaflet.js")


def leaflet_installed():
    return (Path(current_app.static_folder) / LEAFLET).is_file()


def project_link(code):
    return url_for("projects.show", code=code)


@bp.app_context_processor
def map_settings():
    """What every map needs (this page, the big screen, the project form's picker): ``[map]`` and Leaflet."""
    return {"MAP": current_app.config["TRACKER"]["map"], "LIGHTS": LEVELS, "leaflet_installed": leaflet_installed}


@bp.get("/map")
@login_required
def index():
    args, condition, week = request_filters()
    collection = feature_collection(
        condition, today(), light_thresholds(current_app.config["TRACKER"]), link=project_link
    )
    return render_template(
        "map/index.html",
        collection=collection,
        unplaced=Page(unplaced(condition), per_page=50),
        counts={level: sum(f["properties"]["light"] == level for f in collection["features"]) for level in LEVELS},
        editable=can(current_user, "manage_projects"),
        args=args,
        choices=filter_choices(),
        week=week,
    )


@bp.get("/map/outlines.geojson")
def outlines():
    """The county outlines of ``[map] outline_geojson`` (public geography: the big screen's link reads it too)."""
    path = current_app.config["TRACKER"]["map"]["outline_geojson"]
    if not path or not Path(path).is_file():
        abort(404)
    return send_file(path, mimetype="application/geo+json", max_age=3600)
