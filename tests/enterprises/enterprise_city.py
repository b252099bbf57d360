"""What the enterprises' tests share: the city's date and the departments in charge."""

import datetime as dt

from tracker.core.config import DEFAULTS
from tracker.core.weeks import local_now

TODAY = local_now(DEFAULTS["city"]["timezone"]).date()
LISTED = TODAY - dt.timedelta(days=30)
MIIT, NDRC = "市工信局", "市发展改革委"
