"""The managed lists (县区, 产业链, 部门) in the UI: the office adds, renames, reorders, retires and merges entries."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.lists.editing import (
    ListError,
    add_entry,
    merge_entries,
    move_entry,
    rename_entry,
    set_retired,
    usage,
)
from tracker.lists.forms import EntryNameForm, MergeForm
from tracker.projects.models import LIST_KINDS, ListEntry
from tracker.web.access import require

bp = Blueprint("lists", __name__, url_prefix="/lists")


@bp.before_request
@require("manage_lists")
def office_only():
    """Every page here is the office's: one check for the whole blueprint."""


@bp.get("/", defaults={"kind": "county"})
@bp.get("/<kind>")
def index(kind, form=None, status=200):
    """One list in the office's order, each entry with the rows using it, and the form adding one."""
    if kind not in LIST_KINDS:
        abort(404)
    entries = list(ListEntry.of_kind(kind))
    page = render_template(
        "lists/index.html",
        kind=kind,
        kinds=LIST_KINDS,
        entries=entries,
        uses=usage(kind),
        form=form or EntryNameForm(formdata=None),
    )
    return page, status


@bp.post("/<kind>")
def add(kind):
    if kind not in LIST_KINDS:
        abort(404)
    form = EntryNameForm()
    if form.validate_on_submit():
        try:
            entry = add_entry(kind, form.name.data)
        except ListError as e:
            form.name.errors.append(str(e))
        else:
            flash(f"已将“{entry.name}”加入{LIST_KINDS[kind]}名单", "success")
            return redirect(url_for("lists.index", kind=kind))
    return index(kind, form=form, status=422)


@bp.get("/entries/<int:entry_id>")
def show(entry_id, name_form=None, merge_form=None, status=200):
    """One entry: renaming it, merging it into another, retiring or restoring it."""
    entry = _entry(entry_id)
    merge_form = merge_form or MergeForm(formdata=None)
    _merge_choices(merge_form, entry)
    page = render_template(
        "lists/show.html",
        entry=entry,
        kinds=LIST_KINDS,
        label=LIST_KINDS[entry.kind],
        uses=usage(entry.kind).get(entry.name, []),
        name_form=name_form or EntryNameForm(formdata=None, data={"name": entry.name}),
        merge_form=merge_form,
    )
    return page, status


@bp.post("/entries/<int:entry_id>/rename")
def rename(entry_id):
    entry = _entry(entry_id)
    form, old = EntryNameForm(), entry.name
    return _apply(
        form, entry, form.name, lambda: rename_entry(entry, form.name.data, _user()), f"已将“{old}”改名为", "name_form"
    )


@bp.post("/entries/<int:entry_id>/merge")
def merge(entry_id):
    entry = _entry(entry_id)
    form = MergeForm()
    _merge_choices(form, entry)

    def merged():
        return merge_entries(entry, ListEntry.get_or_none(ListEntry.id == int(form.into.data)), _user())

    return _apply(form, entry, form.into, merged, f"已将“{entry.name}”合并到", "merge_form")


def _apply(form, entry, field, change, done, form_name):
    """Make ``change`` if ``form`` validates; a refusal shows on ``field`` and changes nothing."""
    if form.validate_on_submit():
        try:
            result = change()
        except ListError as e:
            field.errors.append(str(e))
        else:
            flash(f"{done}“{result.name}”，使用原名称的项目、问题和账号已一并更新", "success")
            return redirect(url_for("lists.index", kind=entry.kind))
    return show(entry.id, status=422, **{form_name: form})


@bp.post("/entries/<int:entry_id>/<any(up, down):direction>")
def move(entry_id, direction):
    entry = _entry(entry_id)
    move_entry(entry, -1 if direction == "up" else 1)
    return redirect(url_for("lists.index", kind=entry.kind, _anchor=f"entry-{entry.id}"))


@bp.post("/entries/<int:entry_id>/<any(retire, restore):action>")
def retire(entry_id, action):
    """Retire an entry (forms offer it no more; what uses it keeps it), or bring it back."""
    entry = set_retired(_entry(entry_id), action == "retire")
    state = "停用，新填报时不再提供；已使用它的项目保持不变" if entry.retired else "启用"
    flash(f"已将“{entry.name}”{state}", "success")
    return redirect(url_for("lists.index", kind=entry.kind))


def _entry(entry_id):
    return ListEntry.get_or_none(ListEntry.id == entry_id) or abort(404)


def _merge_choices(form, entry):
    """The entries ``entry`` may merge into: the others of its list still in use."""
    others = ListEntry.of_kind(entry.kind).where((ListEntry.id != entry.id) & (ListEntry.retired == False))  # noqa: E712
    form.into.choices = {"": "请选择", **{str(other.id): other.name for other in others}}


def _user():
    return current_user._get_current_object()
