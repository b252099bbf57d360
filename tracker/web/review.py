"""Reviewing a draft list's entries (a notice's, a quarter's 红旗 and 蜗牛): what their pages share.

The domain functions are the notices' (remove_entry, restore_entry), which work on any reviewed list;
here is how a page answers: a reason too short is shown under its field (422), a list published
meanwhile is said in a message on its page (409), success goes back to the list."""

from flask import flash, redirect
from flask_login import current_user

from tracker.core.db import db
from tracker.notices.drafting import NoticeError, NoticePublished, remove_entry, restore_entry
from tracker.web.audit import audit


def review_entry(item, action, form, page, done, audited):
    """Take ``item`` off its draft (``action`` "remove", with ``form``'s reason) or put it back ("restore").

    ``form`` is the removal form, or a bare confirmation to restore; ``page(**context)`` renders the
    list's page (``removal_form``, ``failed_entry``, ``status``); ``done`` is where success goes.
    ``audited`` is (the audit event's prefix, its detail naming the list): the audit log records
    ``<prefix>_removed`` or ``<prefix>_restored`` with the change.
    """
    if not form.validate_on_submit():
        return page(removal_form=form, failed_entry=item.id, status=422)
    prefix, detail = audited
    try:
        with db.atomic():
            if action == "remove":
                remove_entry(item, current_user.id, form.reason.data)
            else:
                restore_entry(item)
            reason = form.reason.data.strip() if action == "remove" else ""
            audit(f"{prefix}_{action}d", project=item.code, reason=reason, **detail)
    except NoticePublished as e:
        return refused(page, e)
    except NoticeError as e:
        form.reason.errors.append(str(e))
        return page(removal_form=form, failed_entry=item.id, status=422)
    flash(f"已{'移出' if action == 'remove' else '恢复'} {item.code} {item.name}", "success")
    return redirect(done)


def refused(page, e):
    """A change a published list refuses: say so on its page, with 409."""
    flash(str(e), "error")
    return page(status=409)
