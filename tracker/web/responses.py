"""Responses the pages build the same way: files sent for download, charts, photos, and JSON.

The workbooks, documents and PDFs the pages offer go through ``send_download``;
every PNG chart through ``png_response``; every stored photo through ``image_response``;
every JSON body through JsonProvider."""

import io
from decimal import Decimal

from flask import send_file
from flask.json.provider import DefaultJSONProvider

from tracker.core.money import json_number
from tracker.core.xlsx import XLSX_MIME

MIME_TYPES = {
    "xlsx": XLSX_MIME,
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


# Charts are redrawn from stored snapshots, which change once a week: a browser may keep one
# for a few minutes, but only for the user who saw it (charts sit behind the login).
CHART_MAX_AGE = 300


def send_download(content, filename):
    """``content`` (bytes) as an attachment named ``filename``, its type read from the extension.

    send_file writes a Chinese name as filename*=UTF-8''… with an ASCII fallback.
    """
    kind = filename.rpartition(".")[2]
    return send_file(io.BytesIO(content), mimetype=MIME_TYPES[kind], as_attachment=True, download_name=filename)


# A photo never changes once stored (its file is named by its content).
PHOTO_MAX_AGE = 86400


def image_response(path, public=False):
    """The image file at ``path``; cached by the browser only, unless ``public`` (a page anyone may read)."""
    response = send_file(path, conditional=True, max_age=PHOTO_MAX_AGE)
    response.cache_control.public, response.cache_control.private = public, not public
    return response


def png_response(content):
    """A PNG image from its bytes, cached privately by the browser for CHART_MAX_AGE seconds."""
    response = send_file(io.BytesIO(content), mimetype="image/png")
    response.cache_control.private = True
    response.cache_control.max_age = CHART_MAX_AGE
    return response


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, with amounts (Decimal) written as numbers: Flask writes a Decimal as a string."""

    @staticmethod
    def default(o):
        if isinstance(o, Decimal):
            return json_number(o)
        return DefaultJSONProvider.default(o)
