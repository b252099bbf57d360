"""The demo city and its people: lead officials, owners, projects with their milestones, one account per role.

``City`` draws every project's attributes and the story its reports will tell
(history.py writes those reports) from one seeded random generator.
"""

import datetime as dt
import random
import secrets
from decimal import Decimal

from tracker.accounts.credentials import hash_password
from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import bulk_create
from tracker.core.weeks import shift_week, utc_now, week_monday, week_of
from tracker.projects.models import MONTHLY_PLAN_COLUMNS, PROCEDURES, ListEntry, Milestone, Project
from tracker.projects.monthly_plan import plan_to_date
from tracker.projects.registry import default_plan

HEADLINE = {"projects": 127, "under_way": 69, "funds": 47_000}

COUNTIES = ("东城区", "西城区", "南湖县", "北山县", "河口县", "高新区")
# Where each county lies: (south, west, north, east) in degrees, made up around the city's centre
# (config.toml's [map] center). tracker/demo/counties.geojson draws made-up outlines around these boxes.
COUNTY_AREAS = {
    "东城区": (34.22, 108.92, 34.42, 109.15),
    "西城区": (34.22, 108.70, 34.42, 108.92),
    "南湖县": (33.85, 108.88, 34.22, 109.30),
    "北山县": (34.42, 108.70, 34.70, 109.15),
    "河口县": (34.32, 109.15, 34.62, 109.45),
    "高新区": (34.05, 108.65, 34.22, 108.88),
}
# One project in this many has no coordinates yet: the map lists them for the office to place.
UNPLACED_EVERY = 25
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


# The demo's monthly plan: cumulative percent of the annual plan by the end of each month, little in
# January and February, most in the third quarter, as cities plan their works.
SECOND_HALF = (2, 5, 10, 16, 24, 32, 42, 53, 65, 77, 89, 100)


def from_month(deadline, year):
    """A not-started project's cumulative plan: nothing before its start deadline's month, then SECOND_HALF's rest.

    A deadline after ``year`` leaves the whole year's plan to December.
    """
    first = deadline.month if deadline.year == year else 12 if deadline.year > year else 1
    before = SECOND_HALF[first - 2] if first > 1 else 0
    return tuple(0 if m < first else 100 * (SECOND_HALF[m - 1] - before) / (100 - before) for m in range(1, 13))


def plan_share(monthly, today):
    """The share of the annual plan due by ``today`` under ``monthly`` (None: the even spread)."""
    percents = [None] * 12 if monthly is None else [Decimal(str(p)) for p in monthly]
    return plan_to_date(Decimal(100), percents, today) / 100


def monthly_columns(monthly, plan_cents):
    """The monthly plan's columns of a project with ``plan_cents`` of annual plan (all None: not entered)."""
    if monthly is None:
        return dict.fromkeys(MONTHLY_PLAN_COLUMNS)
    return {
        column: in_wan(round(plan_cents * Decimal(str(p)) / 100))
        for column, p in zip(MONTHLY_PLAN_COLUMNS, monthly, strict=True)
    }


# Keys of a project's plan that tell its story but are not columns.
STORY_ONLY = ("start_week", "reported_now", "stuck")


class City:
    """The demo city's plan: ``count`` projects, their people and ``weeks`` weeks up to ``today``."""

    def __init__(self, rng, count, today, weeks, offsets):
        self.rng, self.count, self.today, self.offsets = rng, count, today, offsets
        self.week = week_of(today)
        # The moment of loading: nothing in the demo is stamped later (this week's Friday may be to come).
        self.now = utc_now()
        self.weeks = [shift_week(self.week, -n) for n in range(weeks, -1, -1)]
        self.officials = max(2, round(20 * min(count, 127) / 127))
        # Each responsible person reports for one to three projects.
        self.people = [(self._name(), f"139{n:08d}") for n in range(max(1, count * 2 // 3))]
        # A generator of its own, so that placing the projects leaves the rest of the story as it was.
        self.places = random.Random(count)
        self.plan = [self._project(n) for n in range(count)]

    def _name(self):
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def _project(self, n):
        """One project's attributes and the story its reports will tell."""
        rng = self.rng
        under_way = n < round(self.count * HEADLINE["under_way"] / HEADLINE["projects"])
        chain = list(CHAINS)[n % len(CHAINS)]
        kind = "continuing" if rng.random() < 0.55 else "new"
        # Amounts are drawn in cents, as real lists state them (113934.98 万元).
        total = rng.randrange(500_000, 20_000_000)
        plan = round(total * rng.uniform(0.2, 0.6))
        # 分月计划 weighted to the second half; one project under way in six has none (even spread).
        monthly = None if under_way and n % 6 == 5 else SECOND_HALF
        if under_way:
            status = "completed" if rng.random() < 0.03 else building_status({"kind": kind})
            start_week = rng.randrange(0, len(self.weeks) - 1)
            deadline = week_monday(self.weeks[start_week]) + dt.timedelta(days=rng.randrange(0, 45))
            # Most keep pace with the year; one in eight falls visibly behind.
            pace = rng.uniform(0.35, 0.7) if rng.random() < 1 / 8 else rng.uniform(0.98, 1.22)
            completed = round(plan * pace * float(plan_share(monthly, self.today)))
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
            monthly = from_month(deadline, self.today.year)
        person = self.people[n % len(self.people)]
        return {
            "code": f"{self.today.year}-{n + 1:05d}",
            "name": COUNTIES[n % len(COUNTIES)] + rng.choice(CHAINS[chain]).format(n=n // 24 + 1) + "项目",
            "county": COUNTIES[n % len(COUNTIES)],
            "industry_chain": chain,
            **self._place(COUNTIES[n % len(COUNTIES)], n),
            "kind": kind,
            "project_unit": f"{rng.choice(COUNTIES)}{rng.choice(('建设投资', '实业', '农业发展', '文旅集团', '物流'))}有限公司",
            "responsible_person": person[0],
            "responsible_phone": person[1],
            "responsible_email": f"{person[1]}@example.com",
            "lead_department": DEPARTMENTS[n % len(DEPARTMENTS)],
            "total_investment": in_wan(total),
            "annual_plan_investment": in_wan(plan),
            **monthly_columns(monthly, plan),
            "start_deadline": deadline,
            "status": status,
            "start_week": start_week,
            "investment_completed": in_wan(completed),
            # One in seven has not reported this week yet.
            "reported_now": rng.random() > 1 / 7,
            # One in eight not yet started is stuck on its approval procedures (前期手续).
            "stuck": not under_way and rng.random() < 1 / 8,
        }

    def _place(self, county, n):
        """Coordinates somewhere in the middle of ``county``'s area; none for one project in UNPLACED_EVERY."""
        if n % UNPLACED_EVERY == UNPLACED_EVERY - 1:
            return {"latitude": None, "longitude": None}
        south, west, north, east = COUNTY_AREAS[county]
        margin_lat, margin_lon = (north - south) / 5, (east - west) / 5
        return {
            "latitude": round(self.places.uniform(south + margin_lat, north - margin_lat), 6),
            "longitude": round(self.places.uniform(west + margin_lon, east - margin_lon), 6),
        }

    def write_lists(self):
        """The managed lists: the city's counties, industry chains and departments, in the city's own order."""
        for kind, names in (("county", COUNTIES), ("industry_chain", CHAINS), ("department", DEPARTMENTS)):
            ListEntry.append(kind, names)

    def write_officials(self):
        """The lead officials (市级包抓领导), each with a title and an email; return {name: id}."""
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
        """An owner account per responsible person, without a password; return {phone: user id}."""
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
        bulk_create(User, (User(**row) for row in rows))
        return dict(User.select(User.username, User.id).where(User.role == "owner").tuples())

    def write_projects(self, officials, owners):
        """The projects as they stand this week, with their milestones (倒排工期); return {code: id}."""
        official_ids = list(officials.values())
        rows = []
        for n, p in enumerate(self.plan):
            last = self.last_reported(p)
            rows.append(
                {
                    **{k: v for k, v in p.items() if k not in STORY_ONLY},
                    "lead_official": official_ids[n % len(official_ids)],
                    "owner": owners.get(p["responsible_phone"]),
                    "started_on": self._started_on(p),
                    # The figures of its last report (history.write_history), as filing a report sets them.
                    "physical_progress": self.progress(p, last),
                    "last_report_week": self.weeks[last],
                }
            )
        bulk_create(Project, (Project(**row) for row in rows))
        ids = dict(Project.select(Project.code, Project.id).tuples())
        bulk_create(Milestone, (Milestone(**m) for p in self.plan for m in self._milestones(p, ids[p["code"]])))
        return ids

    def last_reported(self, p):
        """The index in ``self.weeks`` of the project's last report: this week's, or last week's."""
        return len(self.weeks) - 1 if p["reported_now"] else len(self.weeks) - 2

    def _started_on(self, p):
        if p["start_week"] is None:
            return None
        return week_monday(self.weeks[p["start_week"]]) + dt.timedelta(days=2)

    def progress(self, p, index):
        """形象进度 of a planned project in the week at ``index`` of ``self.weeks``."""
        if p["start_week"] is None or index < p["start_week"]:
            return "前期手续办理中"
        share = Decimal(index - p["start_week"] + 1) / (len(self.weeks) - p["start_week"])
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


def building_status(p):
    """The status of a planned project while it is being built: a continuing one restarts, a new one starts."""
    return "restarted" if p["kind"] == "continuing" else "started"


def in_wan(cents):
    """万元 with two places from a whole number of cents of 万元."""
    return Decimal(cents).scaleb(-2)
