"""The JSON API under /api/v1 (filled in by the API work)."""


def init_app(app):
    pass
