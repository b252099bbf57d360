"""The lagging list (滞后项目) of a day, with its ranking by department and county."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from tracker.lagging.rules import RANKED_BY, RULES, lagging_list, lagging_rules, ranking
from tracker.notices.forms import NoticeDraftForm
from tracker.web.access import require
from tracker.web.caching import cached
from tracker.web.listing import requested_day

bp = Blueprint("lagging", __name__, url_prefix="/lagging")


@bp.get("/")
@require("see_lagging")
def index():
    """The lagging list of a day with each project's reasons, and the ranking by department and county."""
    day = requested_day()
    rules = lagging_rules(current_app.config["TRACKER"])

    def rank():
        result = lagging_list(day, rules)
        return result, ranking(result, rules["overdue_days"])

    result, ranked = cached(current_user, "lagging_list", rank, day)
    rule = request.args.get("rule", "")
    shown = [p for p in result.projects if not rule or any(r.rule == rule for r in p.reasons)]
    # Thousands of rows at province scale: drawn once per version, not per request.
    table = cached(
        current_user, "lagging_table", lambda: Markup(render_template("lagging/_list.html", shown=shown)), day, rule
    )
    return render_template(
        "lagging/index.html",
        result=result,
        shown=shown,
        table=table,
        rule=rule,
        counts=result.counts(),
        ranking=ranked,
        RULES=RULES,
        RANKED_BY=RANKED_BY,
        draft_form=NoticeDraftForm(day=day),
    )
