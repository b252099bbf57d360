"""The demo city: the first seed report's headline, live as of the current week.

127 key projects, 69 started or restarted (54.3 %), 4.7 亿元 (47,000 万元) of funds
secured, about 20 lead officials, 6 counties, 4 industry chains, and weekly report
history for the weeks before today, closed by weekly snapshots. ``count`` scales the same shape to a larger
city; everything is drawn from one seeded random generator, so a seed gives the
same city (relative to today) every time. Rows are written in bulk: a province
of 10,000 projects and years of history loads in minutes, not hours.
"""

import datetime as dt
import random
import secrets

from tracker.accounts.credentials import hash_password
from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import db
from tracker.core.weeks import local_now, shift_week, utc_now, week_monday, week_of
from tracker.cycles.snapshots import take_snapshot
from tracker.projects.lights import refresh_next_milestones
from tracker.projects.models import PROCEDURES, FundsSecured, Milestone, ProgressReport, Project, ReportFunds
from tracker.projects.registry import default_plan

HEADLINE = {"projects": 127, "under_way": 69, "funds": 47_000}
COUNTIES = ("东城区", "西城区", "南湖县", "北山县", "河口县", "高新区")
CHAINS = {
    "化工产业链": ("年产{n}万吨精细化工", "{n}万吨煤化工延链", "化工园区{n}号污水处理厂", "{n}万吨新材料中间体"),
    "绿色农业产业链": ("{n}万亩高标准农田", "{n}万头生猪养殖基地", "{n}万吨果蔬冷链仓储", "设施农业产业园{n}期"),
    "商贸物流产业链": ("{n}万平方米物流园", "城乡冷链配送中心{n}期", "陆港多式联运{n}号场站", "商贸综合体{n}号楼"),
    "文旅产业链": ("古城文化街区{n}期", "{n}公里旅游公路", "康养度假区{n}期", "博物馆新馆{n}号展厅"),
}
DEPARTMENTS = (
    "市发展改革委",
    "市工信局",
    "市农业农村局",
    "市商务局",
    "市文旅局",
    "市自然资源局",
    "市住建局",
    "市交通运输局",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹"
GIVEN = (
    "建国",
    "志强",
    "海燕",
    "卫东",
    "秀兰",
    "明",
    "晓峰",
    "丽华",
    "国庆",
    "文博",
    "红梅",
    "永胜",
    "立新",
    "静",
    "军",
)
TITLES = ("市委常委、副市长", "副市长", "市人大常委会副主任", "市政协副主席", "市委常委")
FUND_WEIGHTS = {
    "central_budget": 15,
    "provincial": 10,
    "special_bonds": 30,
    "bank_loans": 20,
    "self_raised": 20,
    "other": 5,
}
PROBLEMS = (
    "用地报批手续尚未办结",
    "环评批复待省厅审批",
    "专项债券资金尚未拨付到位",
    "施工用电接入滞后",
    "征地拆迁存在遗留问题",
    "",
    "",
    "",
)
BATCH = 400


class DemoError(Exception):
    """The database is not in a state the demo can load into."""


def load_demo_city(config, count=HEADLINE["projects"], seed=2026, weeks=16, if_empty=False):
    """Fill an empty database with the demo city and return its demo accounts.

    Returns [(role, username, password)], or None when ``if_empty`` and projects
    exist already. Raises DemoError when projects exist and ``if_empty`` is off.
    """
    if count < 1 or weeks < 1:
        raise DemoError("--projects and --weeks must be at least 1")
    if Project.select().exists():
        if if_empty:
            return None
        raise DemoError("the database has projects already: load the demo into an empty database")
    today = local_now(config["city"]["timezone"]).date()
    city = _City(random.Random(seed), count, today, weeks, config["milestones"])
    with db.atomic():
        officials = city.write_officials()
        owners = city.write_owners()
        projects = city.write_projects(officials, owners)
        city.write_history(projects)
        refresh_next_milestones()
        accounts = city.write_accounts(officials, owners)
    # Past weeks closed as the weekly dispatch would have; the week just ended is
    # left for the scheduler, so a newcomer sees it run on first start.
    for week in city.weeks[:-2]:
        take_snapshot(week, config["warnings"])
    _follow_up(config, today)
    _ledger(today)
    return accounts


def _follow_up(config, today):
    """A month of follow-up on the lagging list: three supervision orders and a published notice.

    One order was replied on time, one late, one not at all; last month's
    notice lists the projects lagging four weeks ago.
    """
    from tracker.lagging.rules import lagging_list
    from tracker.notices.drafting import draft_notice, publish_notice
    from tracker.supervision.orders import issue_order, reply_to_order

    month_ago = today - dt.timedelta(days=28)
    lagging = lagging_list(month_ago, config["lagging"]).projects
    if not lagging:
        return
    with db.atomic():
        inspector = User.get(username="inspector")
        issued = dt.datetime.combine(month_ago, dt.time(9))
        replies = (dt.timedelta(days=5), dt.timedelta(days=16), None)  # on time, late, never
        for project, reply_after in zip(lagging, replies, strict=False):  # fewer lagging: fewer orders
            order = issue_order(
                Project.get_by_id(project.project_id),
                inspector,
                f"列入 {month_ago:%Y-%m-%d} 滞后项目名单：{project.reasons[0].label}",
                "说明原因，报送整改措施和赶工计划",
                month_ago + dt.timedelta(days=10),
                now=issued,
            )
            if reply_after:
                reply_to_order(
                    order, User.get(username="office"), "已召开专题会，报送整改措施和赶工计划", now=issued + reply_after
                )
        office = User.get(username="office")
        notice = draft_notice(month_ago, config, office)
        publish_notice(notice, office, config, month_ago + dt.timedelta(days=2), now=issued + dt.timedelta(days=2))


# The ledger's stories (问题台账): (raised days ago, days given to solve it, the answers after it was
# raised as (days later, words, status)). Open and overdue, in progress, resolved, closed by the office.
LEDGER_STORIES = (
    (60, 30, ()),
    (45, 20, ()),
    (40, 30, ()),
    (20, 30, ()),
    (50, 30, ((7, "已召开协调会，正在办理", "in_progress"),)),
    (30, 45, ((5, "已对接省厅，预计下月批复", "in_progress"),)),
    (25, 40, ((3, "已列入专题会议研究", "in_progress"), (15, "资金已申请，待财政审核", None))),
    (55, 30, ((10, "正在办理", "in_progress"), (25, "手续已办结", "resolved"))),
    (35, 30, ((12, "已协调解决", "resolved"),)),
    (70, 30, ((8, "正在办理", "in_progress"), (20, "已解决", "resolved"), (22, "销号", "closed"))),
    (90, 30, ((14, "已解决", "resolved"), (16, "销号", "closed"))),
    (15, 30, ()),
)


def _ledger(today):
    """A dozen problems on the ledger, half of them the demo department's, as their stories left them."""
    from tracker.problems.ledger import change_problem, raise_problem

    office, inspector, department = (User.get(username=name) for name in ("office", "inspector", "department"))
    ours = Project.select().where(Project.lead_department == department.department).order_by(Project.id)
    others = Project.select().where(Project.lead_department != department.department).order_by(Project.id)
    projects = [p for pair in zip(ours.limit(6), others.limit(6), strict=False) for p in pair]
    with db.atomic():
        for n, (project, (ago, days, answers)) in enumerate(zip(projects, LEDGER_STORIES, strict=False)):
            raised = dt.datetime.combine(today - dt.timedelta(days=ago), dt.time(9))
            by_inspection = n % 3 == 2
            problem = raise_problem(
                project,
                PROBLEMS[n % 5],
                project.lead_department,
                raised.date() + dt.timedelta(days=days),
                inspector if by_inspection else office,
                source="inspection" if by_inspection else "office",
                now=raised,
            )
            answerer = department if project.lead_department == department.department else project.owner or office
            for later, words, status in answers:
                user = office if status == "closed" else answerer
                kind = "status" if status == "closed" else "reply"
                change_problem(problem, user, kind, words, status=status, now=raised + dt.timedelta(days=later))


# Keys of a project's plan that tell its story but are not columns.
STORY_ONLY = ("start_week", "reported_now", "stuck")


class _City:
    def __init__(self, rng, count, today, weeks, offsets):
        self.rng, self.count, self.today, self.offsets = rng, count, today, offsets
        self.week = week_of(today)
        self.weeks = [shift_week(self.week, -n) for n in range(weeks, -1, -1)]
        self.officials = max(2, round(20 * min(count, 127) / 127))
        # Each responsible person reports for one to three projects.
        self.people = [(self._name(), f"139{n:08d}") for n in range(max(1, count * 2 // 3))]
        self.plan = [self._project(n) for n in range(count)]

    def _name(self):
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def _project(self, n):
        """One project's attributes and the story its reports will tell."""
        rng = self.rng
        under_way = n < round(self.count * HEADLINE["under_way"] / HEADLINE["projects"])
        chain = list(CHAINS)[n % len(CHAINS)]
        kind = "continuing" if rng.random() < 0.55 else "new"
        total = rng.randrange(5_000, 200_000, 500)
        plan = round(total * rng.uniform(0.2, 0.6))
        if under_way:
            status = "completed" if rng.random() < 0.03 else self._building({"kind": kind})
            start_week = rng.randrange(0, len(self.weeks) - 1)
            deadline = week_monday(self.weeks[start_week]) + dt.timedelta(days=rng.randrange(0, 45))
            # Most keep pace with the year; one in eight falls visibly behind.
            pace = rng.uniform(0.35, 0.7) if rng.random() < 1 / 8 else rng.uniform(0.92, 1.15)
            completed = round(plan * pace * self.today.timetuple().tm_yday / 365)
        else:
            status = "suspended" if rng.random() < 0.05 else "not_started"
            start_week, completed = None, 0
            roll = rng.random()
            days = (
                rng.randrange(-60, -1)
                if roll < 0.12
                else rng.randrange(1, 15)
                if roll < 0.35
                else rng.randrange(20, 200)
            )
            deadline = self.today + dt.timedelta(days=days)
        person = self.people[n % len(self.people)]
        return {
            "code": f"{self.today.year}-{n + 1:05d}",
            "name": COUNTIES[n % len(COUNTIES)] + rng.choice(CHAINS[chain]).format(n=n // 24 + 1) + "项目",
            "county": COUNTIES[n % len(COUNTIES)],
            "industry_chain": chain,
            "kind": kind,
            "project_unit": f"{rng.choice(COUNTIES)}{rng.choice(('建设投资', '实业', '农业发展', '文旅集团', '物流'))}有限公司",
            "responsible_person": person[0],
            "responsible_phone": person[1],
            "responsible_email": f"{person[1]}@example.com",
            "lead_department": DEPARTMENTS[n % len(DEPARTMENTS)],
            "total_investment": total,
            "annual_plan_investment": plan,
            "start_deadline": deadline,
            "status": status,
            "start_week": start_week,
            "investment_completed": completed,
            # One in seven has not reported this week yet.
            "reported_now": rng.random() > 1 / 7,
            # One in eight not yet started is stuck on its approval procedures (前期手续).
            "stuck": not under_way and rng.random() < 1 / 8,
        }

    def write_officials(self):
        names = []
        while len(names) < self.officials:
            name = self._name()
            if name not in names:
                names.append(name)
        rows = [
            {"name": name, "title": self.rng.choice(TITLES), "email": f"leader{i + 1:02d}@example.gov.cn"}
            for i, name in enumerate(names)
        ]
        LeadOfficial.insert_many(rows).execute()
        return {o.name: o.id for o in LeadOfficial.select()}

    def write_owners(self):
        rows = [
            {
                "username": phone,
                "display_name": name,
                "role": "owner",
                "phone": phone,
                "email": f"{phone}@example.com",
                "created_at": utc_now(),
            }
            for name, phone in self.people[: self.count]
        ]
        for chunk in _chunks(rows):
            User.insert_many(chunk).execute()
        return dict(User.select(User.username, User.id).where(User.role == "owner").tuples())

    def write_projects(self, officials, owners):
        official_ids = list(officials.values())
        rows = []
        for n, p in enumerate(self.plan):
            last = self._last_report_week(p)
            rows.append(
                {
                    **{k: v for k, v in p.items() if k not in STORY_ONLY},
                    "lead_official": official_ids[n % len(official_ids)],
                    "owner": owners.get(p["responsible_phone"]),
                    "started_on": self._started_on(p),
                    "physical_progress": self._progress(p, len(self.weeks) - 1),
                    "last_report_week": last,
                }
            )
        for chunk in _chunks(rows):
            Project.insert_many(chunk).execute()
        ids = dict(Project.select(Project.code, Project.id).tuples())
        milestones = [m for p in self.plan for m in self._milestones(p, ids[p["code"]])]
        for chunk in _chunks(milestones):
            Milestone.insert_many(chunk).execute()
        return ids

    def _last_report_week(self, p):
        return self.week if p["reported_now"] else self.weeks[-2]

    def _started_on(self, p):
        if p["start_week"] is None:
            return None
        return week_monday(self.weeks[p["start_week"]]) + dt.timedelta(days=2)

    def _progress(self, p, index):
        if p["start_week"] is None or index < p["start_week"]:
            return "前期手续办理中"
        share = (index - p["start_week"] + 1) / (len(self.weeks) - p["start_week"])
        return f"主体工程完成约{round(100 * share * p['investment_completed'] / max(1, p['annual_plan_investment']))}%"

    def _milestones(self, p, project_id):
        plan = default_plan(p["start_deadline"], self.offsets)
        started = self._started_on(p)
        for kind in PROCEDURES:
            # A stuck project has not finished the procedures due in the last two months.
            recent = plan[kind] > self.today - dt.timedelta(days=60)
            done = plan[kind] <= self.today and (started or not (p["stuck"] and recent))
            actual = min(plan[kind] + dt.timedelta(days=self.rng.randrange(-10, 3)), self.today) if done else None
            yield {"project": project_id, "kind": kind, "planned_on": plan[kind], "actual_on": actual}
        yield {"project": project_id, "kind": "start", "planned_on": plan["start"], "actual_on": started}
        for kind in ("main_works", "completion", "production"):
            yield {"project": project_id, "kind": kind, "planned_on": None, "actual_on": None}

    def write_history(self, ids):
        """Every week's report, with investment growing from the start week to today's figure.

        Written a batch of projects at a time, so a province with years of
        history never sits in memory whole. The funds are shared out over the
        projects first, so each batch knows its part of the exact total.
        """
        total = round(HEADLINE["funds"] * self.count / HEADLINE["projects"])
        funds_of = _split(total, [self.rng.random() for _ in self.plan])
        per_batch = max(1, BATCH // len(self.weeks))
        for start in range(0, len(self.plan), per_batch):
            batch = list(zip(self.plan[start : start + per_batch], funds_of[start : start + per_batch], strict=True))
            reports = [r for p, _ in batch for r in self._reports(p, ids[p["code"]])]
            for chunk in _chunks(reports):
                ProgressReport.insert_many(chunk).execute()
            project_ids = [ids[p["code"]] for p, _ in batch]
            report_ids = {}
            for rid, project in (
                ProgressReport.select(ProgressReport.id, ProgressReport.project)
                .where(ProgressReport.project.in_(project_ids))
                .tuples()
            ):
                report_ids.setdefault(project, []).append(rid)
            lines = [line for p, amount in batch for line in self._funds(report_ids[ids[p["code"]]], amount)]
            for chunk in _chunks(lines):
                ReportFunds.insert_many(chunk).execute()
            self._write_funds_secured(lines, report_ids)

    def _reports(self, p, project_id):
        last = len(self.weeks) - 1
        for index, week in enumerate(self.weeks):
            # This week one in seven has not reported yet; before that, a few weeks were missed
            # (never the first, so every project has a report to carry its funds).
            if (index == last and not p["reported_now"]) or (0 < index < last and self.rng.random() < 0.03):
                continue
            yield self._report(p, project_id, index, week)

    @staticmethod
    def _write_funds_secured(lines, report_ids):
        project_of = {rid: project for project, rids in report_ids.items() for rid in rids}
        totals = {}
        for line in lines:
            key = (project_of[line["report"]], line["source"])
            totals[key] = totals.get(key, 0) + line["amount"]
        rows = [{"project": p, "source": s, "amount": a} for (p, s), a in totals.items()]
        for chunk in _chunks(rows):
            FundsSecured.insert_many(chunk).execute()

    def _report(self, p, project_id, index, week):
        started = p["start_week"] is not None and index >= p["start_week"]
        if started:
            # Investment keeps the project's pace with the year, reaching today's figure this week.
            day = min(week_monday(week) + dt.timedelta(days=6), self.today)
            elapsed = day.timetuple().tm_yday / self.today.timetuple().tm_yday
            invested = min(p["investment_completed"], round(p["investment_completed"] * elapsed))
            # Completed only in the latest week; before that it was being built.
            status = p["status"] if index == len(self.weeks) - 1 else self._building(p)
        else:
            invested, status = 0, p["status"] if p["start_week"] is None else "not_started"
        submitted = dt.datetime.combine(week_monday(week) + dt.timedelta(days=4), dt.time(8, 30))
        return {
            "project": project_id,
            "week": week,
            "status": status,
            "investment_completed": invested,
            "physical_progress": self._progress(p, index),
            "problems": self.rng.choice(PROBLEMS),
            "next_week_plan": "继续推进主体施工" if started else "加快办理前期手续",
            "submitted_at": submitted,
            "updated_at": submitted,
        }

    @staticmethod
    def _building(p):
        return "restarted" if p["kind"] == "continuing" else "started"

    def _funds(self, report_ids, amount):
        """A project's share of the funds, spread over about a third of its reports."""
        chosen = [rid for rid in sorted(report_ids) if self.rng.random() < 0.35] or [min(report_ids)]
        sources, source_weights = list(FUND_WEIGHTS), list(FUND_WEIGHTS.values())
        lines = {}
        for rid, part in zip(chosen, _split(amount, [self.rng.random() for _ in chosen]), strict=True):
            if part:
                source = self.rng.choices(sources, source_weights)[0]
                lines[(rid, source)] = lines.get((rid, source), 0) + part
        return [{"report": rid, "source": source, "amount": part} for (rid, source), part in lines.items()]

    def write_accounts(self, officials, owners):
        """One account per role with a fresh random password, returned for printing."""
        first_name, first_official = next(iter(officials.items()))
        # The demo owner is the person with the most projects, so their list is worth a look.
        people = {}
        for p in self.plan:
            people.setdefault(p["responsible_phone"], []).append(p)
        phone = max(people, key=lambda k: len(people[k]))
        accounts = []
        for role, username, extra in (
            ("office", "office", {"display_name": "项目办值班员", "email": "office@example.gov.cn"}),
            ("leader", "leader", {"display_name": first_name, "lead_official": first_official}),
            ("owner", phone, {}),
            ("inspector", "inspector", {"display_name": "纪委监委督查员"}),
            ("department", "department", {"display_name": DEPARTMENTS[0], "department": DEPARTMENTS[0]}),
        ):
            password = secrets.token_urlsafe(9)
            user, _ = User.get_or_create(username=username, defaults={"role": role, **extra})
            user.password_hash = hash_password(password)
            user.save()
            accounts.append((role, username, password))
        return accounts


def _split(total, weights):
    """Integers proportional to ``weights`` that add up to exactly ``total``."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _chunks(rows):
    for i in range(0, len(rows), BATCH):
        yield rows[i : i + BATCH]
