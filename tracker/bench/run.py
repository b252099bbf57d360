"""One benchmark run: the data set, the two servers, the load, the table.

The service and the bare endpoint are measured in turns (bare, op1, bare, op2, …, bare), each for
``seconds``; an operation's share is its requests/s over the mean of the two bare runs beside it,
so the machine's drift (other processes, CPU clocks) cancels as far as it can.
"""

import dataclasses
import http.cookiejar
import json
import os
import re
import statistics
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from tracker.bench import dataset as datasets
from tracker.bench.operations import NAMES, OPERATIONS, requests_of
from tracker.bench.processes import free_port, load_generator, peak_rss_mb, server, server_memory, stop


@dataclasses.dataclass
class Options:
    projects: int = 10_000
    weeks: int = 260
    database_url: str | None = None
    workers: int | None = None
    connections: int = 8
    seconds: float = 10.0
    only: tuple = NAMES
    seed: int = 2026
    json_path: str | None = None


def run(config, options, log=print):
    """Measure every operation of ``options.only``; return the results dict (also written to ``json_path``)."""
    url = options.database_url or datasets.default_url(options.projects, options.weeks)
    data = datasets.prepare(config, url, options.projects, options.weeks, options.seed, log=log)
    workers = options.workers or config["web"]["workers"]
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_WEB_WORKERS": str(workers),
        # One account asks thousands of times a minute here: the limits would answer 429, not measure.
        "TRACKER_WEB_API_RATE_LIMIT": "10000000 per minute",
        "TRACKER_WEB_LOGIN_RATE_LIMIT": "1000 per minute",
    }
    logs = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    service_port, bare_port = free_port(), free_port()
    service_args = ["tracker", "serve", "--host", "127.0.0.1", "--port", str(service_port)]
    bare_args = ["tracker.bench.bare", "--port", str(bare_port)]
    log(f"gunicorn, {workers} worker(s): service on :{service_port}, bare endpoint on :{bare_port}; logs in {logs}")
    with (
        server(service_args, service_port, env, logs / "service.log") as service,
        server(bare_args, bare_port, env, logs / "bare.log", ready_path="/") as bare,
    ):
        cookie = _login(service_port, data.password)
        load = load_generator()
        try:
            measured = _measure(load, options, data, cookie, service_port, bare_port, log)
            memory = {
                "service": server_memory(service),
                "bare": server_memory(bare),
                "load_generator": peak_rss_mb(load.pid),
            }
        finally:
            load.stdin.close()
            stop(load)
            load.stdout.close()
    results = _results(options, data, workers, measured, memory)
    if "report" in measured["ops"]:
        created = measured["ops"]["report"].pop("last_created")
        found = datasets.count_reports(url, data.counts["week"], created.values())
        # Each project's last 201 must be in the database (an earlier one to the same project was corrected by it).
        results["reports"] = {
            "created": measured["ops"]["report"]["statuses"].get("201", 0),
            "projects": len(created),
            "found": found,
            "lost": len(created) - found,
        }
    if options.json_path:
        Path(options.json_path).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return results


def _login(port, password):
    """The session cookie of a real login of the benchmark's office account."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies), _NoRedirect())
    with opener.open(f"http://127.0.0.1:{port}/login", timeout=30) as answer:
        page = answer.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": datasets.BENCH_USER, "password": password, "csrf_token": token})
    try:
        opener.open(f"http://127.0.0.1:{port}/login", data=form.encode(), timeout=30)
        status = 200
    except urllib.error.HTTPError as e:
        status = e.code
    if status != 302:
        raise RuntimeError(f"the benchmark's login answered {status}, not a redirect")
    # Then the dashboard, as a browser lands there: the login starts a fresh session, and its first page
    # gives it the CSRF token the pages' forms carry (kept in the cookie from then on).
    with opener.open(f"http://127.0.0.1:{port}/", timeout=60) as answer:
        answer.read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in cookies)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _phase(load, port, requests, seconds):
    load.stdin.write(json.dumps({"port": port, "seconds": seconds, "requests": requests}) + "\n")
    load.stdin.flush()
    return json.loads(load.stdout.readline())


def _measure(load, options, data, cookie, service_port, bare_port, log):
    """Bare, op, bare, op, …, bare; each for ``options.seconds`` after a short warm-up of the op."""
    bare_requests = [[{"method": "GET", "path": "/"}] for _ in range(options.connections)]
    warm_up = min(2.0, options.seconds / 4)
    bare_runs = [_phase(load, bare_port, bare_requests, options.seconds)]
    ops = {}
    for name in options.only:
        requests = requests_of(name, data, cookie, options.connections)
        if name != "report":  # a report is a write: every one of them is counted
            _phase(load, service_port, requests, warm_up)
        ops[name] = _phase(load, service_port, requests, options.seconds)
        bare_runs.append(_phase(load, bare_port, bare_requests, options.seconds))
        log(
            f"  {name:<10} {_rate(ops[name]):>8.1f} req/s   bare {_rate(bare_runs[-2]):>7.0f} / {_rate(bare_runs[-1]):>7.0f}"
        )
    return {"ops": ops, "bare": bare_runs}


def _rate(phase):
    return phase["requests"] / phase["seconds"] if phase["seconds"] else 0.0


def _results(options, data, workers, measured, memory):
    rows = []
    bare = measured["bare"]
    for n, name in enumerate(options.only):
        phase = measured["ops"][name]
        around = statistics.mean([_rate(bare[n]), _rate(bare[n + 1])])
        share = 100 * _rate(phase) / around if around else 0.0
        target = next(op.target_percent for op in OPERATIONS if op.name == name)
        errors = sum(count for status, count in phase["statuses"].items() if not 200 <= int(status) < 300)
        rows.append(
            {
                "operation": name,
                "requests_per_second": round(_rate(phase), 1),
                "p50_ms": _round(phase["p50_ms"]),
                "p99_ms": _round(phase["p99_ms"]),
                "bare_requests_per_second": round(around, 1),
                "share_percent": round(share, 2),
                "target_percent": target,
                "met": share >= target,
                "requests": phase["requests"],
                "errors": errors,
                "statuses": phase["statuses"],
            }
        )
    return {
        "date": time.strftime("%Y-%m-%d"),
        "cpus": os.cpu_count(),
        "database": _database_kind(data.url),
        "data_set": {**data.counts, "marker": data.marker, "loaded_now": data.loaded_now},
        "workers": workers,
        "connections": options.connections,
        "seconds": options.seconds,
        "bare": [
            {"requests_per_second": round(_rate(b), 1), "p50_ms": _round(b["p50_ms"]), "p99_ms": _round(b["p99_ms"])}
            for b in bare
        ],
        "operations": rows,
        "memory_mb": memory,
    }


def _round(ms):
    return None if ms is None else round(ms, 1)


def _database_kind(url):
    return "SQLite" if url.startswith("sqlite") else f"PostgreSQL ({urlsplit(url).hostname})"


def table(results):
    """The results as the text table the command prints (and the README shows)."""
    data = results["data_set"]
    lines = [
        f"{data['projects']:,} projects, {data['reports']:,} reports, {results['database']}; gunicorn "
        f"{results['workers']} worker(s), {results['connections']} connections, {results['seconds']:g} s per run; "
        f"{results['cpus']} CPUs, {results['date']}",
        "bare endpoint: " + ", ".join(f"{b['requests_per_second']:,.0f}" for b in results["bare"]) + " req/s",
        "",
        "| operation | requests/s | p50 ms | p99 ms | share of bare | target | met | errors |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for row in results["operations"]:
        lines.append(
            f"| {row['operation']} | {row['requests_per_second']:,.1f} | {_ms(row['p50_ms'])} | {_ms(row['p99_ms'])} "
            f"| {row['share_percent']:.2f} % | ≥ {row['target_percent']} % | {'yes' if row['met'] else 'no'} "
            f"| {row['errors']} |"
        )
    if "reports" in results:
        r = results["reports"]
        lines += [
            "",
            f"reports: {r['created']} answered 201 for {r['projects']} projects; {r['found']} found in the database, "
            f"lost {r['lost']}",
        ]
    memory = results["memory_mb"]
    lines += [
        "",
        "peak memory (VmHWM): service master {} MB, workers {} MB; bare master {} MB, workers {} MB; "
        "load generator {} MB".format(
            memory["service"]["master"],
            " / ".join(str(mb) for mb in memory["service"]["workers"]),
            memory["bare"]["master"],
            " / ".join(str(mb) for mb in memory["bare"]["workers"]),
            memory["load_generator"],
        ),
    ]
    loaded = data["marker"]
    lines.append(
        f"data set {'loaded' if data['loaded_now'] else 'reused'}: {loaded.get('load_seconds')} s to load "
        f"({loaded.get('loaded_at')})"
    )
    return "\n".join(lines)


def _ms(ms):
    return "–" if ms is None else f"{ms:,.0f}" if ms >= 10 else f"{ms:.1f}"
