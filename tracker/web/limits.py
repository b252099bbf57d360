"""How big a request may be: a form post or an API call MAX_BODY_BYTES, an upload ``[web] max_upload_mb``,
a batch of photos ``[photos] max_per_report`` photos of ``max_mb`` each.

Flask-WTF reads a form's body for its CSRF check before any view runs, so the limit of
a request is decided here, as soon as its route is known, from the view it goes to."""

from flask import abort, request

from tracker.core.limits import MAX_BODY_BYTES, MAX_QUERY_BYTES


def upload(view):
    """Mark a view that takes a file: its body may be as large as ``[web] max_upload_mb``."""
    view.takes_upload = "MAX_UPLOAD_BYTES"
    return view


def photo_upload(view):
    """Mark a view that takes photos: its body may hold a whole report's photos at their largest."""
    view.takes_upload = "MAX_PHOTO_UPLOAD_BYTES"
    return view


def init_app(app):
    """Cap every request's body and query string; call it before CSRF protection is set up."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["MAX_UPLOAD_BYTES"] = app.config["TRACKER"]["web"]["max_upload_mb"] * 2**20
    photos = app.config["TRACKER"]["photos"]
    # The report form's fields travel with its photos.
    app.config["MAX_PHOTO_UPLOAD_BYTES"] = photos["max_per_report"] * photos["max_mb"] * 2**20 + MAX_BODY_BYTES

    @app.before_request
    def limit_request():
        if len(request.query_string) > MAX_QUERY_BYTES:
            abort(400, f"查询参数过长，不能超过 {size_text(MAX_QUERY_BYTES)}")
        if limit := getattr(app.view_functions.get(request.endpoint), "takes_upload", None):
            request.max_content_length = app.config[limit]


def size_text(size):
    """A size in bytes as the error pages state it: 256 KB, 10 MB."""
    return f"{size // 2**20} MB" if size % 2**20 == 0 else f"{size // 2**10} KB"
