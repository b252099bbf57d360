"""The bare endpoint: a Flask app answering "ok", served by gunicorn with the tracker's own settings.

    python -m tracker.bench.bare --port 8001     # [web] workers and timeout of the configured config.toml

What the machine, Python, Flask and gunicorn serve with no work at all: the benchmark's yardstick.
"""

import argparse

from flask import Flask

from tracker.core.config import load_config
from tracker.web.serving import gunicorn_settings, run_gunicorn


def bare_app():
    """A Flask app answering every GET with "ok"."""
    app = Flask(__name__)

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def ok(path):
        return "ok"

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = gunicorn_settings(load_config()["web"], f"{args.host}:{args.port}")
    run_gunicorn(bare_app, settings)


if __name__ == "__main__":
    main()
