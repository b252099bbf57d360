"""Filing reports in tests as the office would: no cut-off applies, nothing to log in."""

import datetime as dt
import zoneinfo

from tracker.accounts.models import User
from tracker.reports.filing import file_report

# After every week the tests use, so no report is "in the future".
FILED_ON = dt.datetime(2027, 1, 4, 10, 0)


def file(config, project, week, now=FILED_ON, **values):
    """File ``week``'s report for ``project``; unspecified fields are a plain started project's."""
    office = User.get_or_create(username="office", defaults={"role": "office"})[0]
    values = {"status": "started", "investment_completed": 0, "physical_progress": "施工中", **values}
    now = now.replace(tzinfo=zoneinfo.ZoneInfo(config["city"]["timezone"]))
    return file_report(project, week, values, office, config, now=now, past_cutoff=True)
