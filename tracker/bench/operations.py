"""The operations measured, as data: each a name, the requests a user makes for it, and its target.

A target is the share of the bare endpoint's requests/s the operation should reach at 10,000
projects × 260 weeks on 2 cores (issue 13). Pages are asked for with the session cookie of a
real login, the API with a bearer token, as users do.
"""

import dataclasses
import json
from urllib.parse import quote


@dataclasses.dataclass(frozen=True)
class Operation:
    name: str
    label: str
    target_percent: int


OPERATIONS = (
    Operation("stats", "GET /api/v1/stats (all, one county)", 30),
    Operation("dashboard", "dashboard /", 20),
    Operation("board", "battle map /board", 10),
    Operation("projects", "project list, 100 a page (API; a county's page)", 10),
    Operation("project", "project page, its whole history", 15),
    Operation("lagging", "lagging list for today", 5),
    Operation("problems", "problem ledger", 10),
    Operation("chart", "restart-rate chart PNG", 10),
    Operation("report", "owner's report POST (API)", 10),
)
NAMES = tuple(op.name for op in OPERATIONS)


def requests_of(name, dataset, cookie, connections):
    """[[request, ...] for each of ``connections``] of the operation ``name`` (see load.py for a request)."""
    page = {"Cookie": cookie}
    api = {"Authorization": f"Bearer {dataset.office_token}"}
    county = quote(dataset.sample_county)
    if name == "report":
        return _reports(dataset, connections)
    shared = {
        "stats": [("/api/v1/stats", api), (f"/api/v1/stats?county={county}", api)],
        "dashboard": [("/", page)],
        "board": [("/board", page)],
        "projects": [("/api/v1/projects?per_page=100", api), (f"/projects/?county={county}", page)],
        "project": [(f"/projects/{quote(dataset.sample_code)}", page)],
        "lagging": [("/lagging/", page)],
        "problems": [("/problems/", page)],
        "chart": [("/charts/restart_rate.png", page)],
    }[name]
    requests = [{"method": "GET", "path": path, "headers": headers} for path, headers in shared]
    # Each connection starts at another of the requests, so all are asked for at once.
    return [requests[n % len(requests) :] + requests[: n % len(requests)] for n in range(connections)]


def _reports(dataset, connections):
    """Each connection files for projects of its own, so no two reports of a run meet on one row.

    The figures are the project's own (nothing implausible to explain); the physical progress
    names the request, so the reports found afterwards can be counted.
    """
    lists = [[] for _ in range(connections)]
    for n, (code, token, status, invested) in enumerate(dataset.report_targets):
        body = json.dumps(
            {
                "status": status,
                "investment_completed": float(invested),
                "physical_progress": "性能测试 {n}",
                "problems": "",
            },
            ensure_ascii=False,
        )
        lists[n % connections].append(
            {
                "method": "POST",
                "path": f"/api/v1/projects/{quote(code)}/reports",
                "headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                "body": body,
                "key": code,
            }
        )
    return [requests for requests in lists if requests]
