"""Serving a WSGI app with gunicorn, the production server: the one place its settings are made.

``python -m tracker serve`` serves the tracker with them; the benchmark serves its bare
endpoint with the very same, so the two differ only in the app.
"""


def gunicorn_settings(web, bind):
    """gunicorn's settings for the ``[web]`` section of the config, listening on ``bind`` (host:port)."""
    return {
        "bind": bind,
        "workers": web["workers"],
        "timeout": web["timeout_seconds"],
        "accesslog": "-",
    }


def run_gunicorn(load_app, settings):
    """Serve the app ``load_app()`` returns (called in the master, before the workers fork) until stopped."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return load_app()

    Server().run()
