"""Error pages for the UI and JSON errors for the API, from one set of handlers."""

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from tracker.core.db import db

MESSAGES = {
    400: "请求有误",
    401: "请先登录",
    403: "没有权限访问该页面或项目",
    404: "页面或项目不存在",
    405: "不支持该请求方法",
    409: "与现有数据冲突",
    413: "上传的文件过大",
    422: "提交的数据有误",
    429: "尝试次数过多，请稍后再试",
    500: "服务器内部错误，请稍后再试",
}


def wants_json():
    return request.path.startswith("/api/")


def error_response(status, message=None, field=None):
    """A JSON error body ``{"error": {"status", "message", "field"}}`` with that status."""
    body = {"status": status, "message": message or MESSAGES.get(status, "请求有误")}
    if field:
        body["field"] = field
    return jsonify(error=body), status


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
        return render_template("error.html", status=e.code, message=MESSAGES.get(e.code, e.name)), e.code

    @app.errorhandler(Exception)
    def server_error(e):
        # Leave nothing half-written: roll back whatever the request had open.
        if not db.is_closed() and db.in_transaction():
            db.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return error_response(500)
        return render_template("error.html", status=500, message=MESSAGES[500]), 500
