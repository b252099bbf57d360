"""Accounts and lead officials (账号与包抓领导), kept by the office."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import JOIN, IntegrityError, fn

from tracker.accounts.credentials import hash_password, password_problem, revoke_tokens
from tracker.accounts.forms import AccountForm, LeadOfficialForm, NewAccountForm, PasswordForm
from tracker.accounts.models import ROLES, AccountCounty, ApiToken, LeadOfficial, User, channel_names
from tracker.core.db import db
from tracker.projects.models import ListEntry, Project
from tracker.web.access import require
from tracker.web.audit import audit, request_actor
from tracker.web.listing import Page, text_args

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


ACCOUNT_FIELDS = ("display_name", "role", "department", "email", "phone")
OFFICIAL_FIELDS = ("name", "title", "email", "phone")

# Why a deactivated account's API tokens were revoked, as their list shows it.
DEACTIVATED = "账号停用"


@bp.before_request
@require("manage_accounts")
def office_only():
    """Every page here is the office's: one check for the whole blueprint."""


@bp.get("/")
def index():
    """Accounts with their role, lead official, password and state; filter by role or a name / phone."""
    role, search = request.args.get("role", ""), text_args("q").get("q", "")
    query = User.select(User, LeadOfficial).join(LeadOfficial, JOIN.LEFT_OUTER).order_by(User.role, User.username)
    if role in ROLES:
        query = query.where(User.role == role)
    if search:
        query = query.where(User.username.contains(search) | User.display_name.contains(search))
    return render_template("accounts/index.html", page=Page(query), role=role, search=search)


@bp.route("/new", methods=["GET", "POST"])
def new():
    return _account_form(None)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
def edit(user_id):
    return _account_form(_account(user_id))


def _account(user_id):
    return User.get_or_none(User.id == user_id) or abort(404)


def _account_form(user):
    """Create (``user`` None) or edit an account; a login name already taken is a message, not a crash."""
    form = AccountForm(data=_account_data(user)) if user else NewAccountForm()
    officials = LeadOfficial.select(LeadOfficial.id, LeadOfficial.name).order_by(LeadOfficial.name).tuples()
    form.lead_official.choices = {"": "无", **{str(i): name for i, name in officials}}
    form.counties.choices = _county_choices(user)
    if form.validate_on_submit():
        fields = {**_texts(form, ACCOUNT_FIELDS), "channels": form.chosen_channels}
        fields["lead_official"] = int(form.lead_official.data) if form.lead_official.data else None
        if user and user.id == current_user.id and fields["role"] != "office":
            form.role.errors.append("不能取消自己的办公室角色，否则将无法再管理账号")
        elif fields["role"] == "department" and not fields["department"]:
            form.department.errors.append("责任部门账号须填写所属部门，据此显示该部门负责解决的问题")
        elif fields["role"] == "county" and not form.counties.data:
            form.counties.errors.append("县区办公室账号须选择所辖县区，据此审核该县区项目的周报")
        elif unknown := set(form.counties.data) - {value for value, _ in form.counties.choices}:
            form.counties.errors.append(f"没有项目位于 {'、'.join(sorted(unknown))}")
        elif (
            not user
            and form.password.data
            and (problem := password_problem(form.password.data, None, form.username.data.strip()))
        ):
            form.password.errors.append(problem)
        elif saved := _save_account(form, user, fields):
            flash(f"已保存账号 {saved.username}", "success")
            return redirect(url_for("accounts.index", q=saved.username))
    status = 422 if form.errors else 200
    return render_template("accounts/form.html", form=form, account=user), status


def _county_choices(user):
    """The managed list's counties, in its order, and those the account already has."""
    return [(county, county) for county in ListEntry.names("county", keep=user.counties if user else ())]


def _texts(form, names):
    """The text fields ``names``, trimmed; a field left out of the request counts as empty."""
    return {name: (form[name].data or "").strip() for name in names}


def _account_data(user):
    data = {name: getattr(user, name) for name in ACCOUNT_FIELDS}
    data["lead_official"] = str(user.lead_official_id or "")
    data["counties"] = user.counties
    data["channels"] = user.channels
    return data


def _save_account(form, user, fields):
    """Write the account; return it, or None with the reason on the login name."""
    try:
        with db.atomic():
            counties = sorted(set(form.counties.data)) if fields["role"] == "county" else []
            if user:
                User.update(**fields).where(User.id == user.id).execute()
                if fields["role"] != user.role or (counties != user.counties and user.role == "county"):
                    User.end_sessions(user.id)  # pages open under the old role or reach must not go on
                AccountCounty.set_counties(user, counties)
                if changes := _changes(user, fields):
                    audit("account_changed", username=user.username, **changes)
                return User.get_by_id(user.id)
            password = form.password.data
            created = User.create(
                username=form.username.data.strip(),
                password_hash=hash_password(password) if password else None,
                **fields,
            )
            AccountCounty.set_counties(created, counties)
            audit("account_created", **_account_summary(created))
            return created
    except IntegrityError:
        form.username.errors.append(f"登录名 {form.username.data.strip()} 已被使用")
        return None


def _changes(user, fields):
    """{field: [old, new]} of what an edit changes, the lead official by name."""
    names = dict(LeadOfficial.select(LeadOfficial.id, LeadOfficial.name).tuples())
    old = {**_account_data(user), "lead_official": names.get(user.lead_official_id, "")}
    new = {**fields, "lead_official": names.get(fields["lead_official"], "")}
    return _changed(old, new)


def _changed(old, new):
    """{field: [old, new]} of the fields of ``new`` that differ from ``old``, the channels by name."""
    return {name: [_named(name, old[name]), _named(name, new[name])] for name in new if old[name] != new[name]}


def _named(name, value):
    return channel_names(value) if name == "channels" else value


def _account_summary(user):
    """What the audit log keeps of a new account."""
    official = user.lead_official.name if user.lead_official_id else ""
    return {
        "username": user.username,
        "role": user.role,
        "department": user.department,
        "lead_official": official,
        "channels": channel_names(user.channels),
    }


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
def password(user_id):
    """Set an account's password, e.g. for an owner account created from the project list without one."""
    user = _account(user_id)
    form = PasswordForm()
    if form.validate_on_submit() and (problem := password_problem(form.password.data, user)):
        form.password.errors.append(problem)
    elif form.validate_on_submit():
        with db.atomic():
            User.update(password_hash=hash_password(form.password.data)).where(User.id == user.id).execute()
            User.end_sessions(user.id)
            audit("password_set", username=user.username)
        flash(f"已为 {user.username} 设置密码", "success")
        return redirect(url_for("accounts.index", q=user.username))
    return render_template("accounts/password.html", form=form, account=user), 422 if form.errors else 200


@bp.post("/<int:user_id>/<any(activate, deactivate):action>")
def set_active(user_id, action):
    """Activate or deactivate an account; a deactivated one can neither log in nor use its API tokens.

    Deactivating ends its sessions and revokes its tokens for good (listed as revoked for 账号停用):
    reactivating brings back neither.
    """
    user = _account(user_id)
    if user.id == current_user.id:
        flash("不能停用自己的账号", "error")
    else:
        with db.atomic():
            User.update(active=action == "activate").where(User.id == user.id).execute()
            if action == "deactivate":
                User.end_sessions(user.id)
                revoke_tokens(ApiToken.user == user.id, request_actor(), by=current_user.id, reason=DEACTIVATED)
            audit(f"account_{action}d", username=user.username)
        flash(f"已{'启用' if action == 'activate' else '停用'}账号 {user.username}", "success")
    return redirect(url_for("accounts.index", q=user.username))


@bp.get("/officials")
def officials():
    """The lead officials, each with the number of active projects they contract."""
    active = (Project.lead_official == LeadOfficial.id) & (Project.archived == False)  # noqa: E712
    query = (
        LeadOfficial.select(LeadOfficial, fn.COUNT(Project.id).alias("project_count"))
        .join(Project, JOIN.LEFT_OUTER, on=active)
        .group_by(LeadOfficial)
        .order_by(LeadOfficial.name)
    )
    return render_template("accounts/officials.html", page=Page(query), channel_names=channel_names)


@bp.route("/officials/new", methods=["GET", "POST"])
def new_official():
    return _official_form(None)


@bp.route("/officials/<int:official_id>/edit", methods=["GET", "POST"])
def edit_official(official_id):
    return _official_form(LeadOfficial.get_or_none(LeadOfficial.id == official_id) or abort(404))


def _official_form(official):
    """Add (``official`` None) or edit a lead official; a name already listed is a message."""
    form = LeadOfficialForm(obj=official)
    if form.validate_on_submit():
        fields = {**_texts(form, OFFICIAL_FIELDS), "channels": form.chosen_channels}
        try:
            with db.atomic():
                if official:
                    LeadOfficial.update(**fields).where(LeadOfficial.id == official.id).execute()
                    old = {name: getattr(official, name) for name in fields}
                    if changes := _changed(old, fields):
                        audit("official_changed", official=official.name, **changes)
                else:
                    LeadOfficial.create(**fields)
                    audit(
                        "official_created",
                        official=fields["name"],
                        **{**fields, "channels": channel_names(fields["channels"])},
                    )
        except IntegrityError:
            form.name.errors.append(f"包抓领导“{fields['name']}”已在名单中")
        else:
            flash(f"已保存包抓领导 {fields['name']}", "success")
            return redirect(url_for("accounts.officials"))
    status = 422 if form.errors else 200
    return render_template("accounts/official_form.html", form=form, official=official), status
