"""Who may see and do what: every rule of access, in one place.

Pages, the API and templates ask ``can(user, action, obj)``; lists are cut down to
what a user may see by the ``visible_*`` queries, which apply the same reach as
``can``. Two things decide: the user's role (``RULES``: which roles may take an
action at all) and, where there is an object, the user's reach:

- an owner (项目责任人) reaches only their own projects and what hangs on them
  (reports, problems, supervision orders);
- a department (责任部门) reaches every project, but of the problems and
  supervision orders only those assigned to it, and of the promotion trips and leads
  only its own department's (it reads them all);
- a county office (县区办公室) reaches the projects of its counties (``User.counties``)
  and what hangs on them, and reviews their weekly reports (县区审核);
- every other role reaches everything;
- a draft notice is reached only by those who review notices;
- an API token is reached by its own account, and by the office (``visible_tokens``).
- a draft notice, or a quarter's draft 红旗/蜗牛 lists, is reached only by those who review them;
- a department sees every unit's score but only its own breakdown (``sees_breakdown``);
- a letter (来信来访) is reached by a department or county user only when it was sent to their
  department or one of their counties; leaders and owners never see letters, and only the office
  and the inspector see who sent one (``see_complainant``).
- a draft 督查通报 is reached only by those who manage inspection rounds; a round's findings reach the
  departments and counties through the ledger, as any problem does.

The domain functions (filing, the ledger, supervision, notices) trust their
caller: the pages and the API ask here first.
"""

import functools

from flask import abort, g
from flask_login import current_user, login_required
from peewee import JOIN, Value

from tracker.accounts.models import ApiToken, LeadOfficial
from tracker.core.db import Prepared
from tracker.enterprises.models import Enterprise
from tracker.honours.models import HonourList
from tracker.inspections.models import InspectionBulletin
from tracker.letters.models import Letter
from tracker.notices.models import CriticismNotice
from tracker.problems.models import Problem
from tracker.projects.models import Project
from tracker.promotion.models import Lead, Trip
from tracker.supervision.models import SupervisionOrder

EVERYONE = ("office", "leader", "owner", "inspector", "department", "county")
READERS = ("office", "leader", "inspector", "department")

# action: the roles that may take it; the object, where there is one, narrows it to the user's reach.
RULES = {
    "see": EVERYONE,  # a project, problem, supervision order or notice
    "manage_projects": ("office",),  # create, edit, archive, import the list
    "see_incomplete": ("office",),  # the 待完善 list: those who supply what the projects lack (manage_projects)
    "export_projects": ("office", "leader", "inspector"),
    # The OC4IDS package: every project, public fields only; not for roles that see a part of the list.
    "publish_oc4ids": READERS,
    "report": ("office", "owner"),  # file a project's weekly report
    "reopen_reports": ("office",),  # reopen a locked week, or correct it after the cut-off
    "review_reports": ("county",),  # accept a weekly report of its counties, or send it back (县区审核)
    "raise_problems": ("office", "inspector"),
    "answer_problem": ("office", "department", "owner"),
    "manage_problems": ("office",),  # close (销号) and re-date
    "supervise": ("inspector", "office"),  # issue and close supervision orders
    "remind_orders": ("inspector", "office"),  # 催办 an overdue order
    "answer_order": ("office", "department", "owner"),
    "see_lagging": READERS,  # the whole lagging list, its ranking, and the notices
    # The city's figures beyond one's own projects: the dashboard's history and its charts.
    # An owner's dashboard, board and /api/v1/stats count their own projects only (project_scope).
    "see_city_figures": READERS,
    "review_notices": ("office", "inspector"),  # drafts, and the entries taken off them with the reasons
    "draft_notices": ("office",),  # draft, edit and publish
    "see_honours": READERS,  # a quarter's 红旗 and 蜗牛 lists (published ones; drafts for their reviewers)
    "review_honours": ("office", "inspector"),  # draft lists, and the entries taken off them with the reasons
    "draft_honours": ("office",),  # draft, review and publish them
    "see_scores": READERS,  # 加减分 of departments and counties; a department sees its own breakdown only
    "see_runs": ("office", "leader", "inspector"),
    "record_decisions": ("office",),  # a consultation's decisions and their follow-through (落实情况)
    "see_mail": ("office",),
    "manage_accounts": ("office",),
    # Everyone makes and revokes their own API tokens; the office sees and revokes every account's.
    "manage_tokens": ("office",),
    "see_letters": ("office", "inspector", "department", "county"),  # 来信来访, within their reach
    "see_complainant": ("office", "inspector"),  # the name and phone of who wrote, called or came
    "register_letters": ("office",),  # register a letter and transfer it to its unit (综合组)
    "answer_letter": ("department", "county"),  # the unit a letter went to replies
    "supervise_letters": ("inspector",),  # 催办, close (办结) and re-check (回头看) letters
    "see_bonds": EVERYONE,  # special bonds: owners their own projects' entries, counties their counties'
    "manage_bonds": ("office",),  # batches, entries, spending, applications, the batch import
    "see_audit": ("office", "inspector"),  # the audit log: who did what, when, from where
    "manage_lists": ("office",),  # the 县区, 产业链 and 部门 lists: add, rename, reorder, retire, merge
    "see_screen": ("office",),  # 一屏统览 (/screen); a display link shows it without a login
    "manage_display_links": ("office",),  # make and revoke the big screen's display links
    "see_inspections": ("office", "leader", "inspector"),  # 督查 rounds: groups, units visited, findings
    "manage_inspections": ("inspector", "office"),  # rounds, groups, visits, findings, 回头看; draft bulletins
    "publish_bulletins": ("inspector",),  # the 督查通报 goes out after the inspector's review
    # 招商引资: trips, leads, visits and the assessment; a department records and edits its own department's.
    "see_promotion": READERS,
    "record_promotion": ("office", "department"),
    "land_leads": ("office",),  # 转为重点项目: it creates a key project (manage_projects)
    # 企业复工复产: a department sees the enterprises in its charge, a county office its counties'.
    "see_enterprises": ("office", "leader", "inspector", "department", "county"),
    "update_resumption": ("office", "department", "county"),
    "manage_enterprises": ("office",),  # import the list of enterprises
}


def can(user, action, obj=None):
    """Whether ``user`` may take ``action`` (a key of RULES), on ``obj`` if given."""
    if not getattr(user, "is_authenticated", False) or user.role not in RULES[action]:
        return False
    return obj is None or _reaches(user, obj)


def _reaches(user, obj):
    if isinstance(obj, Enterprise):
        # An enterprise's department in charge and its county reach it, as enterprise_scope says.
        reach = {"owner": False, "county": obj.county in user.counties, "department": obj.department == user.department}
        return reach.get(user.role, True)
    if isinstance(obj, CriticismNotice):
        return obj.is_published or user.role in RULES["review_notices"]
    if isinstance(obj, HonourList):
        return obj.is_published or user.role in RULES["review_honours"]
    if isinstance(obj, Letter):
        return _reaches_letter(user, obj)
    if isinstance(obj, InspectionBulletin):
        return obj.is_published or user.role in RULES["manage_inspections"]
    if isinstance(obj, Trip | Lead):
        return user.role != "department" or obj.department == user.department
    if isinstance(obj, Problem) and obj.project_id is None:
        # A unit's or an enterprise's problem: no owner's, a county office's by the problem's own county.
        owner_id, county = None, obj.county
    else:
        project = obj if isinstance(obj, Project) else obj.project
        owner_id, county = project.owner_id, project.county
    if user.role == "owner":
        return owner_id == user.id
    if user.role == "county":
        return county in user.counties
    if user.role == "department" and isinstance(obj, Problem | SupervisionOrder):
        return obj.department == user.department
    return True


def _reaches_letter(user, letter):
    if user.role == "department":
        return letter.unit_kind == "department" and letter.unit == user.department
    if user.role == "county":
        return letter.unit_kind == "county" and letter.unit in user.counties
    return True


def require(action):
    """A view decorator: logged in, and allowed to take ``action`` at all; 403 otherwise."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                refuse(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def refuse(action, message=None):
    """Answer 403 to ``action``; the audit log records which action was refused (tracker.web.audit)."""
    g.refused_action = action
    abort(403, message)


def project_scope(user):
    """The condition on Project that keeps the projects ``user`` may see (all of them but for owners and counties)."""
    if user.role == "owner":
        return Project.owner == user.id
    if user.role == "county":
        return Project.county.in_(user.counties)
    return Value(True)


def reach_key(user):
    """What decides the rows ``user`` sees, as a key: two users share cached figures only when it is equal."""
    if user.role == "owner":
        return ("owner", user.id)
    if user.role == "county":
        return ("county", tuple(user.counties))
    if user.role == "department":
        return ("department", user.department)
    return (user.role,)


# Every project page, report and API call on a project reads it by its code, and most show its leader.
PROJECT_BY_CODE = Prepared(
    lambda code: (
        Project.select(Project, LeadOfficial).join(LeadOfficial, JOIN.LEFT_OUTER).where(Project.code == code).limit(1)
    )
)


def visible_project(user, code):
    """The project ``code`` if ``user`` may see it: 404 if there is none, 403 if it is not theirs."""
    # PostgreSQL cannot even compare a string holding NUL: no project has such a code.
    project = PROJECT_BY_CODE.first(code) if "\x00" not in code else None
    if project is None:
        abort(404, "项目不存在")
    if not can(user, "see", project):
        refuse("see", "只能查看本县区的项目" if user.role == "county" else "只能查看自己负责的项目")
    return project


def _reach(query, user, department_column):
    if user.role in ("owner", "county"):
        return query.where(project_scope(user))
    if user.role == "department":
        return query.where(department_column == user.department)
    return query


def enterprise_scope(user):
    """The condition on Enterprise that keeps the enterprises ``user`` may see: none for an owner."""
    if user.role == "owner":
        return Value(False)
    if user.role == "county":
        return Enterprise.county.in_(user.counties)
    if user.role == "department":
        return Enterprise.department == user.department
    return Value(True)


def visible_problems(user):
    """The ledger problems ``user`` may see, with their project (if any) joined; archived projects' are gone."""
    query = (
        Problem.select(Problem, Project)
        .join(Project, JOIN.LEFT_OUTER)
        .where((Project.archived == False) | Problem.project.is_null())  # noqa: E712
    )
    if user.role == "county":
        return query.where(project_scope(user) | Problem.county.in_(user.counties))
    return _reach(query, user, Problem.department)


def visible_orders(user):
    """The supervision orders ``user`` may see, with their project joined."""
    return _reach(SupervisionOrder.select(SupervisionOrder, Project).join(Project), user, SupervisionOrder.department)


def visible_letters(user):
    """The letters ``user`` may see: all for the office and the inspector, their unit's for a department or
    county, none for anyone else."""
    query = Letter.select()
    if not can(user, "see_letters"):
        return query.where(Value(False))
    if user.role == "department":
        return query.where((Letter.unit_kind == "department") & (Letter.unit == user.department))
    if user.role == "county":
        return query.where((Letter.unit_kind == "county") & Letter.unit.in_(user.counties))
    return query


def visible_notices(user, query):
    """``query`` over CriticismNotice without the drafts, unless ``user`` reviews notices."""
    if can(user, "review_notices"):
        return query
    return query.where(CriticismNotice.state == "published")


def visible_bulletins(user, query):
    """``query`` over InspectionBulletin without the drafts, unless ``user`` manages inspection rounds."""
    if can(user, "manage_inspections"):
        return query
    return query.where(InspectionBulletin.state == "published")


def visible_tokens(user):
    """The API tokens ``user`` sees and may revoke, with their accounts: their own, or every account's for the office."""
    query = ApiToken.listed()
    return query if can(user, "manage_tokens") else query.where(ApiToken.user == user.id)


def visible_honour_lists(user, query):
    """``query`` over HonourList without the drafts, unless ``user`` reviews them."""
    if can(user, "review_honours"):
        return query
    return query.where(HonourList.state == "published")


def sees_breakdown(user, unit):
    """Whether ``user`` may read the items behind a unit's score (a row of scores.points.quarter_scores)."""
    if not can(user, "see_scores"):
        return False
    return user.role != "department" or (unit["kind"] == "department" and unit["name"] == user.department)


def init_app(app):
    """Templates ask ``can('action', obj)`` of the logged-in user instead of testing role names."""
    app.jinja_env.globals["can"] = lambda action, obj=None: can(current_user, action, obj)
