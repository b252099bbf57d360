"""The ranking of departments and counties by their quarter's 加减分, with the items behind each score."""

import re

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from tracker.core.periods import just_ended
from tracker.honours.models import HonourList
from tracker.honours.rules import QUARTER_MESSAGE, QUARTER_PATTERN
from tracker.scores.points import UNIT_KINDS, quarter_scores
from tracker.web.access import require, sees_breakdown
from tracker.web.listing import today

bp = Blueprint("scores", __name__, url_prefix="/scores")


@bp.get("/")
@require("see_scores")
def index():
    quarter = request.args.get("quarter", "").strip() or just_ended("quarterly", today())
    if not re.fullmatch(QUARTER_PATTERN, quarter):
        abort(400, QUARTER_MESSAGE)
    scores = quarter_scores(quarter, current_app.config["TRACKER"])
    units = {kind: [u for u in scores if u["kind"] == kind] for kind in UNIT_KINDS}
    return render_template(
        "scores/index.html",
        quarter=quarter,
        units=units,
        honours=HonourList.get_or_none(HonourList.quarter == quarter),
        shown={(u["kind"], u["name"]) for u in scores if sees_breakdown(current_user, u)},
        settings=current_app.config["TRACKER"]["scores"],
        UNIT_KINDS=UNIT_KINDS,
    )
