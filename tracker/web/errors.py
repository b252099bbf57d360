"""Error pages for the UI and JSON errors for the API, from one set of handlers."""

import re

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from tracker.core.db import db
from tracker.web.limits import size_text

MESSAGES = {
    400: "请求有误",
    401: "请先登录",
    403: "没有权限访问该页面或项目",
    404: "页面或项目不存在",
    405: "不支持该请求方法",
    409: "与现有数据冲突",
    413: "提交的内容过大",
    422: "提交的数据有误",
    429: "尝试次数过多，请稍后再试",
    500: "服务器内部错误，请稍后再试",
}


CHINESE = re.compile("[\u4e00-\u9fff]")


def wants_json():
    return request.path.startswith("/api/")


def error_response(status, message=None, field=None, **more):
    """A JSON error body ``{"error": {"status", "message", "field", **more}}`` with that status."""
    body = {"status": status, "message": message or default_message(status), **more}
    if field:
        body["field"] = field
    return jsonify(error=body), status


def page_message(e):
    """What an error page says: our own reason (``abort(400, "未知的问题状态 …")``), else the status's.

    Our reasons are Chinese; a library's (CSRF, rate limit) are English details a user need not read.
    """
    if isinstance(e.description, str) and CHINESE.search(e.description):
        return e.description
    return default_message(e.code, e.name)


def default_message(status, fallback="请求有误"):
    """The status's message; a body too large says how large it may be."""
    if status == 413 and request.max_content_length:
        return f"{MESSAGES[413]}，不能超过 {size_text(request.max_content_length)}"
    return MESSAGES.get(status, fallback)


def init_app(app):
    @app.errorhandler(HTTPException)
    def http_error(e):
        if wants_json():
            response, status = error_response(
                e.code, getattr(e, "description", None) if e.code not in MESSAGES else None
            )
            if e.code == 405:
                response.headers["Allow"] = ", ".join(e.valid_methods or [])
            return response, status
        return render_template("error.html", status=e.code, message=page_message(e)), e.code

    @app.errorhandler(Exception)
    def server_error(e):
        # Leave nothing half-written: roll back whatever the request had open.
        if not db.is_closed() and db.in_transaction():
            db.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return error_response(500)
        return render_template("error.html", status=500, message=MESSAGES[500]), 500
