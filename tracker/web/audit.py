"""Recording an audit event from a request: who is signed in (or whose API token), and from which address.

Every 403 of a page or the API is recorded here too (``permission_refused``), whichever check refused it.
"""

from flask import g, request
from flask_login import current_user

from tracker.audit.log import Actor, record

ANONYMOUS = "未登录"


def audit(event, user=None, **detail):
    """Append ``event`` to the audit log as done by ``user`` (default: the request's user) from the request's address."""
    return record(event, request_actor(user), **detail)


def request_actor(user=None):
    """The Actor of this request: ``user``, else the API token's account, else the signed-in one."""
    user = user or g.get("api_user") or (current_user if current_user.is_authenticated else None)
    address = request.remote_addr or ""
    if user is None:
        return Actor(ANONYMOUS, None, address)
    return Actor(user.label, user.id, address)


def init_app(app):
    """Record every refusal (403) with the path and the action refused; 401 and 404 are not worth an entry."""

    @app.after_request
    def record_refusal(response):
        if response.status_code == 403:
            action = g.get("refused_action") or request.endpoint or ""
            audit("permission_refused", path=request.full_path.rstrip("?"), method=request.method, action=action)
        return response
