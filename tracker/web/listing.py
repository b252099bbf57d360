"""What the list pages share: reading the filter bar and paginating."""

import math

from flask import abort, current_app, request
from flask_login import current_user

from tracker.core.weeks import local_now
from tracker.projects.filters import ATTRIBUTE_FILTERS, DRILL_DOWNS, FilterError, project_condition
from tracker.projects.models import Project
from tracker.reports.filing import current_week


def today():
    return local_now(current_app.config["TRACKER"]["city"]["timezone"]).date()


def request_filters():
    """The filters in the query string, the condition they make, and the reporting week.

    Owners are always limited to their own projects, whatever the query string says.
    """
    config = current_app.config["TRACKER"]
    args = {k: request.args[k] for k in ATTRIBUTE_FILTERS + DRILL_DOWNS if request.args.get(k)}
    week = current_week(config)
    try:
        condition = project_condition(args, week, today(), config["warnings"])
    except FilterError as e:
        abort(400, str(e))
    if current_user.role == "owner":
        condition &= Project.owner == current_user.id
    return args, condition, week


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
