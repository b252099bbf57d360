"""The benchmark measures every operation end to end: a real gunicorn, real HTTP, a tiny city."""

import pytest

from tracker.bench import dispatch as dispatching
from tracker.bench.dataset import DatasetError, prepare
from tracker.bench.operations import NAMES
from tracker.bench.run import Options, run, table
from tracker.core.config import load_config


def test_a_tiny_benchmark_measures_every_operation_without_errors_or_lost_reports(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    options = Options(projects=30, weeks=3, database_url=url, workers=1, seconds=1, json_path=str(tmp_path / "b.json"))
    results = run(load_config(), options, log=lambda line: None)

    rows = {row["operation"]: row for row in results["operations"]}
    assert list(rows) == list(NAMES)
    for name, row in rows.items():
        assert row["requests_per_second"] > 0, name
        assert row["errors"] == 0, (name, row["statuses"])
        assert row["share_percent"] > 0, name
    assert results["reports"]["created"] > 0
    assert results["reports"]["lost"] == 0
    assert results["memory_mb"]["service"]["workers"] and results["memory_mb"]["load_generator"]
    printed = table(results)
    assert all(f"| {name} |" in printed for name in NAMES)
    assert (tmp_path / "b.json").exists()


def test_a_second_run_reuses_the_data_set_its_marker_describes(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    first = prepare(load_config(), url, projects=20, weeks=2, log=lambda line: None)
    second = prepare(load_config(), url, projects=20, weeks=2, log=lambda line: None)
    assert first.loaded_now and not second.loaded_now
    assert second.counts["projects"] == 20 and second.marker == first.marker


def test_a_database_holding_another_data_set_is_left_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    prepare(load_config(), url, projects=20, weeks=2, log=lambda line: None)
    with pytest.raises(DatasetError):
        prepare(load_config(), url, projects=21, weeks=2, log=lambda line: None)


def test_the_dispatch_mode_times_a_whole_weekly_dispatch_each_time_it_is_asked(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    prepare(load_config(), url, projects=20, weeks=3, log=lambda line: None)
    first, second = dispatching.measure(url), dispatching.measure(url)
    assert first["projects"] == second["projects"] == 20
    assert first["emails"] == second["emails"] > 0  # the run was done again, not found claimed
    assert first["seconds"] > 0 and 0 < first["peak_rss_mb"] < 500
    assert "20 projects" in dispatching.table(first)
