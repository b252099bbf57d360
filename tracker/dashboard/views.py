"""The dashboard (总览) and the battle map (挂图作战)."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup
from peewee import JOIN

from tracker.accounts.models import LeadOfficial
from tracker.cycles import figures as stats
from tracker.cycles import snapshots
from tracker.cycles.consultations import overdue_decisions_as_of
from tracker.enterprises.resumption import resumption_rate
from tracker.lagging.rules import closing_week, lagging_count, lagging_rules, skipped_by_rules
from tracker.letters.handling import overdue as letter_overdue
from tracker.notices.models import CriticismNotice
from tracker.problems.models import overdue_as_of
from tracker.projects import lights
from tracker.projects.completeness import skip_notes
from tracker.projects.filters import filter_choices
from tracker.projects.inclusion import inclusion_rate
from tracker.projects.models import Project
from tracker.promotion.figures import period_figures
from tracker.promotion.periods import quarter_of
from tracker.review.chain import awaiting_review
from tracker.supervision.models import overdue_orders_as_of
from tracker.web.access import can, enterprise_scope, require, visible_letters
from tracker.web.caching import cached, cached_chart, cached_page
from tracker.web.listing import request_filters, today

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index():
    args, condition, week = request_filters()
    key = (tuple(sorted(args.items())), week)

    def content():
        return Markup(
            render_template(
                "dashboard/_content.html",
                **cached(current_user, "dashboard", lambda: _dashboard_figures(args, condition, week), *key),
                args=args,
                choices=cached(current_user, "filter_choices", filter_choices),
                review_enabled=current_app.config["TRACKER"]["review"]["enabled"],
                lead_rate=current_app.config["TRACKER"]["dashboard"]["lead_rate"],
                RESTART_RATES=stats.RESTART_RATES,
                RATE_NOTES=stats.RATE_NOTES,
            )
        )

    # The cards drawn once per data version, reach, day and filters: drawing them was most of a request.
    return render_template("dashboard/index.html", content=cached(current_user, "dashboard_content", content, *key))


def _dashboard_figures(args, condition, week):
    """What the dashboard counts for ``condition``: live figures, lights, lagging, reviews; one cache entry."""
    config = current_app.config["TRACKER"]
    snapshot_week = snapshots.latest_week()
    figures = stats.figures(stats.Live(week), condition)
    # The charts draw the city from the weekly snapshots: their captions print the latest one's
    # figures, and how they differ from the live cards above: shown unfiltered only, so both are the city's,
    # and only to those who see the city's figures.
    city = snapshot_week and not args and can(current_user, "see_city_figures")
    snapshot = stats.figures(snapshots.Snapshot(snapshot_week)) if city else None
    return {
        "figures": figures,
        "rates": {"restart_rate": figures["restart_rate"], **stats.restart_rates(condition, today())},
        "progress": stats.schedule_progress_total(stats.Live(week), condition, today()),
        "snapshot": snapshot,
        "differences": stats.differences(figures, snapshot) if snapshot else None,
        "lagging": _lagging_counts() if can(current_user, "see_lagging") else None,
        "light_counts": stats.light_counts(condition, today(), lights.light_thresholds(config)),
        "light_skips": skip_notes(lights.SKIPS, where=condition),
        "inclusion": inclusion_rate(condition, config["statistics_inclusion"]),
        "awaiting_review": awaiting_review(condition).count(),
        "letters_overdue": _letters_overdue() if can(current_user, "see_letters") else None,
        "promotion": _promotion() if can(current_user, "see_promotion") else None,
        "resumption": resumption_rate(enterprise_scope(current_user), today())
        if can(current_user, "see_enterprises")
        else None,
    }


def _letters_overdue():
    """The letters within the user's reach unanswered past their deadline (来信来访), as overdue problems count."""
    return visible_letters(current_user).where(letter_overdue(today())).count()


def _promotion():
    """This quarter's investment promotion counts (招商引资), the city's whatever the filters."""
    target = current_app.config["TRACKER"]["promotion"]["funds_growth_target"]
    return period_figures(quarter_of(today()), target)


def _lagging_counts():
    """The city's lagging projects today, overdue problems, supervision orders and decisions, published notices."""
    rules = lagging_rules(current_app.config["TRACKER"])
    day = today()
    return {
        "projects": lagging_count(day, rules),
        "problems": overdue_as_of(day, rules["overdue_days"]).count(),
        "orders": overdue_orders_as_of(day, rules["overdue_days"]).count(),
        "decisions": overdue_decisions_as_of(day, rules["overdue_days"]).count(),
        "notices": CriticismNotice.published().count(),
        "skipped": skipped_by_rules(closing_week(day)),
    }


@bp.get("/charts/<name>.png")
@require("see_city_figures")
def chart(name):
    """The dashboard's history charts up to ``?week=`` (default: the latest snapshot), as the emails carry them.

    The dashboard names the week it captions, so a browser's cached chart of the week before
    never shows under the caption of a newer snapshot.
    """
    week = request.args.get("week") or snapshots.latest_week()
    if (
        name not in snapshots.HISTORY_CHARTS
        or snapshots.WeekTotals.get_or_none(snapshots.WeekTotals.week == week) is None
    ):
        abort(404)
    target = current_app.config["TRACKER"]["charts"]["restart_rate_target"]
    return cached_chart(current_user, "history_chart", lambda: snapshots.history_chart(name, week, target), name, week)


@bp.get("/board")
@login_required
def board():
    args, condition, week = request_filters()
    rule = lights.warning_rule(today(), lights.light_thresholds(current_app.config["TRACKER"]))
    query = (
        Project.select(Project, LeadOfficial, rule.alias("warning_rule"))
        .join(LeadOfficial, JOIN.LEFT_OUTER)
        .where(condition)
        .order_by(*_board_order())
    )
    # The leaders' order puts their own projects first: their pages differ from one another's.
    leader = current_user.lead_official_id if current_user.role == "leader" else None
    key = (tuple(sorted(args.items())), week, leader)
    page = cached_page(current_user, "board", query, *key, per_page=120)

    def cards():
        return Markup(render_template("dashboard/_cards.html", page=page, today=today(), lights=lights))

    # A hundred and twenty cards cost more to draw than to query: drawn once per data version.
    return render_template(
        "dashboard/board.html",
        page=page,
        cards=cached(current_user, "board_cards", cards, *key, request.args.get("page", "")),
        args=args,
        choices=cached(current_user, "filter_choices", filter_choices),
        week=week,
    )


def _board_order():
    """Red, then yellow, then green, by code; leaders see the projects they contract first."""
    order = [lights.severity(today(), lights.light_thresholds(current_app.config["TRACKER"])), Project.code]
    if current_user.role == "leader" and current_user.lead_official_id:
        order.insert(0, (Project.lead_official != current_user.lead_official_id))
    return order
