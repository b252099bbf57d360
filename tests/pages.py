"""What page tests share: posting a form as the browser would, and reading what the page says about it."""

import datetime as dt
import re

from conftest import csrf_token

from tracker.projects.models import MILESTONES
from tracker.projects.registry import PROJECT_FIELDS

DEADLINE = dt.date(2027, 6, 30)


def post(client, path, data=None):
    """POST ``data`` with the session's CSRF token, as a page's form would."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token})


def project_form(**changes):
    """A complete project form as the office fills it in."""
    data = {
        "code": "XM-NEW",
        "name": "化工园区污水处理厂",
        "county": "东城区",
        "industry_chain": "化工产业链",
        "kind": "new",
        "project_unit": "东城化工园区管委会",
        "responsible_person": "赵强",
        "responsible_phone": "13812345678",
        "responsible_email": "",
        "lead_official": "王建国",
        "lead_department": "市工信局",
        "total_investment": "20000",
        "annual_plan_investment": "8000",
        "start_deadline": DEADLINE.isoformat(),
    }
    # The list's own fields (项目代码, 分类 …), blank as the browser sends an untouched form.
    data.update({name: "" for name in PROJECT_FIELDS if name not in data})
    data.update({f"planned-{kind}": "" for kind in MILESTONES})  # blank, as the browser sends them
    data.update(changes)
    return data


def field_errors(html, name):
    """The error messages shown under the form field ``name``."""
    match = re.search(rf'<div class="field [^"]*has-error">\s*<label for="{name}".*?</div>', html, re.S)
    return re.findall(r'<p class="error">([^<]*)</p>', match.group(0)) if match else []


def changes_on(html):
    """The project page's change history as (report week, field, "old → new"), newest first."""
    section = html.split('id="changes"')[1].split("</section>")[0]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)]
    return [(cells[2], cells[3], cells[4]) for cells in rows if cells]


def account_form(**changes):
    """An account form as the office fills it in."""
    data = {
        "display_name": "王建国",
        "role": "leader",
        "lead_official": "",
        "department": "",
        "email": "",
        "phone": "",
        "channels": "email",  # ticked on a new account's form
    }
    return {**data, **changes}
