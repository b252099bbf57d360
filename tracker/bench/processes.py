"""The benchmark's processes: the two gunicorn servers and the load generator, their ports and memory."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tracker.core.config import PROJECT_ROOT


def free_port():
    """A TCP port free on the loopback interface now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(args, port, env, log_path, ready_path="/login", timeout=180):
    """Run ``python -m <args>`` serving on ``port`` until the block ends; yield its Popen once it answers."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", *args], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_answering(process, port, ready_path, timeout, log_path)
        yield process
    finally:
        stop(process)


def _wait_until_answering(process, port, path, timeout, log_path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers, if not with 200
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on port {port} within {timeout} s; see {log_path}")


def stop(process, timeout=30):
    """Ask ``process`` to finish (SIGTERM; gunicorn lets its workers finish), kill it after ``timeout``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def load_generator():
    """The load generator process (tracker.bench.load), talking JSON lines over its stdin and stdout."""
    return subprocess.Popen(
        [sys.executable, "-m", "tracker.bench.load"],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )


def peak_rss_mb(pid):
    """The peak resident memory (VmHWM) of process ``pid`` in MB, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def children(pid):
    """The ids of the child processes of ``pid`` (gunicorn's workers of its master)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(child) for child in f.read().split()]
    except OSError:
        return []


def server_memory(process):
    """{"master": MB, "workers": [MB each]}: the peak memory of a gunicorn master and its workers."""
    return {
        "master": peak_rss_mb(process.pid),
        "workers": [mb for mb in (peak_rss_mb(child) for child in children(process.pid)) if mb is not None],
    }
