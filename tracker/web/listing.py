"""What the list pages share: reading the filter bar and paginating."""

import datetime as dt
import math

from flask import abort, current_app, request
from flask_login import current_user

from tracker.core.limits import MAX_NAME, too_long
from tracker.core.weeks import local_now
from tracker.lagging.rules import DAY_RANGE_MESSAGE, FIRST_DAY, LAST_DAY
from tracker.projects.filters import ATTRIBUTE_FILTERS, DRILL_DOWNS, SEARCH, FilterError, project_condition
from tracker.projects.lights import light_thresholds
from tracker.reports.filing import current_week
from tracker.web.access import project_scope

# The largest id a table's integer primary key holds (PostgreSQL's SERIAL); the app's <int:…> converter agrees.
MAX_ROW_ID = 2**31 - 1


def id_arg(name):
    """The row id in the query string's ``name``: None when absent; 404 for anything no row can have.

    Checked as text first: ``int()`` of thousands of digits raises ValueError,
    and a number past 64 bits overflows the database driver.
    """
    text = request.args.get(name, "")
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ROW_ID))):
        abort(404)
    number = int(text)
    if not 1 <= number <= MAX_ROW_ID:
        abort(404)
    return number


def today():
    return local_now(current_app.config["TRACKER"]["city"]["timezone"]).date()


def requested_day():
    """The ``date`` of the query string (default today); a malformed one is a 400 naming the format."""
    text = request.args.get("date", "")
    if not text:
        return today()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        abort(400, description="日期格式应为 2026-11-23")
    if not FIRST_DAY <= day <= LAST_DAY:
        abort(400, description=DAY_RANGE_MESSAGE)
    return day


def request_filters():
    """The filters in the query string, the condition they make, and the reporting week (400 on a bad filter)."""
    args = text_args(SEARCH, *ATTRIBUTE_FILTERS, *DRILL_DOWNS)
    try:
        condition, week = filter_condition(args, current_user)
    except FilterError as e:
        abort(400, str(e))
    return args, condition, week


def text_args(*names):
    """The query string's ``names`` that are not blank, stripped; 400 if one is longer than any name may be.

    The search box and the filters name a project, a county, a department …: a longer value
    finds nothing, and would only make a slow query and a page that repeats it.
    """
    args = {name: request.args[name].strip() for name in names if request.args.get(name, "").strip()}
    if any(len(value) > MAX_NAME for value in args.values()):
        abort(400, too_long(MAX_NAME, "搜索或筛选条件"))
    return args


def filter_condition(args, user):
    """The condition for the filters in ``args`` among the projects ``user`` may see, and the reporting week.

    Owners are always limited to their own projects, whatever the filters say. Raises FilterError.
    """
    config = current_app.config["TRACKER"]
    week = current_week(config)
    condition = project_condition(args, week, today(), light_thresholds(config))
    return condition & project_scope(user), week


class Page:
    """One page of a query: ``items``, ``number``, ``pages``, ``total``."""

    def __init__(self, query, per_page=50):
        self.total = query.count()
        self.pages = max(1, math.ceil(self.total / per_page))
        try:
            self.number = min(max(1, int(request.args.get("page", 1))), self.pages)
        except ValueError:
            self.number = 1
        self.items = list(query.paginate(self.number, per_page))

    def args_for(self, number):
        """The current query string with another page number."""
        args = request.args.to_dict()
        args["page"] = number
        return args
