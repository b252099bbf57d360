"""From the registry's words to OC4IDS 0.9.5: the codelist tables and one project as an OC4IDS project.

Every table here is the one the README's OC4IDS section documents; change both together.
Amounts become yuan (万元 × 10,000) in CNY; dates become date-times at the start of the day in
the city's timezone. Nothing personal is mapped: no responsible person, phone or email.
"""

import calendar
import datetime as dt
import zoneinfo
from decimal import Decimal

from tracker.projects.models import FUNDING_SOURCES, KINDS, LEVELS, MILESTONES, PROCEDURES, STAGES

# The project's status (周报) → projectStatus (a closed codelist). A suspended project stays in
# implementation: OC4IDS has no suspended phase, so the suspension is a milestone (SUSPENSION).
STATUSES = {
    "not_started": "preparation",
    "started": "implementation",
    "restarted": "implementation",
    "suspended": "implementation",
    "completed": "completion",
}


# The milestone a suspended project carries; "suspension" is a code the local extension adds to milestoneCode.
SUSPENSION = "suspension"


# Words of a project's name → projectType (closed), the first that matches; otherwise construction:
# 新建 and 续建 both build a new asset (续建 says only that the works began in an earlier year).
TYPE_WORDS = (
    ("expansion", ("改扩建", "扩建", "扩能", "扩容")),
    ("rehabilitation", ("改造", "修缮", "维修", "加固", "修复", "提升", "更新")),
)
DEFAULT_TYPE = "construction"


# Words of a project's industry chain (产业链) or category (项目分类) → projectSector (open), every one that
# matches, in this order; a sub-sector brings its parent. A project matching none has no sector.
SECTOR_WORDS = (
    ("transport.rail", ("铁路", "高铁")),
    ("transport.road", ("公路", "道路", "桥梁", "高速")),
    ("transport.air", ("机场", "航空")),
    ("transport.water", ("港口", "航道", "水运")),
    ("transport.urban", ("轨道交通", "公交", "地铁")),
    ("transport", ("交通", "物流", "运输", "陆港")),
    ("energy.solar", ("光伏", "太阳能")),
    ("energy.wind", ("风电",)),
    ("energy.hydropower", ("水电",)),
    ("energy", ("能源", "电力", "电网", "储能", "氢能", "煤电")),
    ("naturalResources.floodProtection", ("防洪", "堤防")),
    ("waterAndWaste", ("水利", "供水", "污水", "排水", "垃圾", "固废")),
    ("communications", ("通信", "信息", "数字", "数据中心", "5G")),
    ("health", ("医疗", "医药", "医院", "卫生", "健康", "康养")),
    ("education", ("教育", "学校", "职教")),
    ("socialHousing", ("保障房", "保障性住房", "安居", "棚户区")),
    ("cultureSportsAndRecreation", ("文旅", "旅游", "文化", "体育", "公园")),
    ("economy", ("化工", "材料", "制造", "装备", "冶金", "工业", "农业", "农产品", "食品", "商贸", "园区")),
)


# 资金来源 (争取到位资金) → a finance entry's financingArrangementType and assetClass (both closed codelists).
# Central and provincial budget funds are not repaid: grants. A company's own funds (企业自筹) are its
# equity in the project, no arrangement type fits; 其他 says nothing of its kind.
FINANCE = {
    "special_bonds": {"type": "bond", "assetClass": ["debt"]},
    "bank_loans": {"type": "loan", "assetClass": ["debt"]},
    "central_budget": {"type": "grant"},
    "provincial": {"type": "grant"},
    "self_raised": {"assetClass": ["equity"]},
    "other": {},
}


# 倒排工期 → milestoneType and milestoneCode (both open). The procedures are approvals by authorities;
# 主体施工 has no code of its own.
MILESTONE_CODES = {
    **dict.fromkeys(PROCEDURES, "projectApproval"),
    "start": "commencement",
    "main_works": None,
    "completion": "completion",
    "production": "commissioning",
}


# Party ids, local to a project: its publicAuthority and its leadDepartment refer to them.
UNIT_ID, DEPARTMENT_ID = "project-unit", "lead-department"
# partyRole (open) has no role for the department that contracts a project: the local extension adds it.
DEPARTMENT_ROLE = "leadDepartment"


def project_type(name):
    """projectType of a project named ``name``."""
    return next((code for code, words in TYPE_WORDS if any(word in name for word in words)), DEFAULT_TYPE)


def sectors(*texts):
    """projectSector codes of the industry chain and category ``texts``, parents before their sub-sectors."""
    found = []
    for code, words in SECTOR_WORDS:
        if any(word in text for text in texts for word in words):
            parent = code.split(".")[0]
            found += [c for c in dict.fromkeys((parent, code)) if c not in found]
    return found


def yuan(amount):
    """万元 (Decimal with two places) as a whole number of yuan."""
    return int((Decimal(amount) * 10_000).to_integral_value())


def value(amount):
    """An OC4IDS Value of ``amount`` 万元."""
    return {"amount": yuan(amount), "currency": "CNY"}


def utc_stamp(moment):
    """A UTC datetime as stored (naive) as an RFC 3339 date-time."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Dates:
    """Dates as OC4IDS date-times: the start of the day in the city's timezone."""

    def __init__(self, timezone):
        self.zone = zoneinfo.ZoneInfo(timezone)

    def day(self, date):
        return dt.datetime.combine(date, dt.time(), self.zone).isoformat() if date else None

    def partial(self, text, end=False):
        """A partial date ("2023", "2024-10", "2024-10-15") as its first day, or its last day when ``end``."""
        if not text:
            return None
        year, month, day = ([int(part) for part in text.split("-")] + [None, None])[:3]
        if day is None:
            month = month or (12 if end else 1)
            day = calendar.monthrange(year, month)[1] if end else 1
        return self.day(dt.date(year, month, day))


def _drop_empty(mapping):
    return {key: item for key, item in mapping.items() if item not in (None, "", [], {})}


def oc4ids_project(row, facts, dates, prefix, today):
    """One project (``row``, its lead official joined) as an OC4IDS project.

    ``facts`` holds what other tables say of it: ``milestones`` (its Milestone rows), ``funds``
    ({source: 万元}), ``since`` (the first day of the current run of suspended or completed reports).
    """
    classifications = [
        {"scheme": scheme, "id": code, "description": labels.get(code, code)}
        for scheme, code, labels in (
            ("建设性质", row.kind, KINDS),
            ("建设阶段", row.stage, STAGES),
            ("项目级别", row.level, LEVELS),
            ("产业链", row.industry_chain, {}),
            ("项目分类", row.category, {}),
        )
        if code
    ]
    parties = [
        {"id": party_id, "name": name, "roles": [role]}
        for party_id, name, role in (
            (UNIT_ID, row.project_unit, "publicAuthority"),
            (DEPARTMENT_ID, row.lead_department, DEPARTMENT_ROLE),
        )
        if name
    ]
    official = row.lead_official
    return _drop_empty(
        {
            "id": f"{prefix}-{row.code}",
            "updated": utc_stamp(row.updated_at),
            "language": "zh",
            "identifiers": [
                {"id": row.code, "scheme": "internal"},
                *([{"id": row.national_code, "scheme": "全国投资项目在线审批监管平台"}] if row.national_code else []),
            ],
            "title": row.name,
            "description": row.scale_and_content,
            "status": STATUSES[row.status],
            "type": project_type(row.name),
            "sector": sectors(row.industry_chain, row.category),
            "additionalClassifications": classifications,
            "publicAuthority": {"id": UNIT_ID, "name": row.project_unit} if row.project_unit else None,
            "parties": parties,
            "locations": _locations(row),
            "budget": _drop_empty({"amount": value(row.total_investment), "finance": _finance(facts["funds"])}),
            "period": _drop_empty(
                {
                    "startDate": dates.partial(row.planned_start),
                    "endDate": dates.partial(row.planned_completion, end=True),
                }
            ),
            "milestones": _milestones(row, facts, dates, today),
            "completion": _completion(row, facts, dates),
            # The local extension's fields: 市级包抓领导 and 包抓部门.
            "leadOfficial": _drop_empty({"name": official.name, "title": official.title}) if official else None,
            "leadDepartment": {"id": DEPARTMENT_ID, "name": row.lead_department} if row.lead_department else None,
        }
    )


def _locations(row):
    point = row.latitude is not None and row.longitude is not None
    location = _drop_empty(
        {
            "id": "1",
            "description": row.location or row.county,
            # GeoJSON order: longitude first; six decimals (about 0.1 m) drop a float's trailing noise.
            "geometry": {"type": "Point", "coordinates": [round(row.longitude, 6), round(row.latitude, 6)]}
            if point
            else None,
            "address": _drop_empty({"streetAddress": row.location, "locality": row.county})
            if row.location or row.county
            else None,
        }
    )
    return [location] if len(location) > 1 else []


def _finance(funds):
    return [
        {
            "id": source,
            "source": FUNDING_SOURCES[source],
            "description": "争取到位资金（累计）",
            "value": value(funds[source]),
            **FINANCE[source],
        }
        for source in FUNDING_SOURCES
        if funds.get(source)
    ]


def _milestones(row, facts, dates, today):
    rows = {milestone.kind: milestone for milestone in facts["milestones"]}
    found = []
    for kind, title in MILESTONES.items():
        milestone = rows.get(kind)
        if milestone is None or not (milestone.planned_on or milestone.actual_on):
            continue
        overdue = milestone.planned_on is not None and milestone.planned_on < today
        status = "met" if milestone.actual_on else "notMet" if overdue else "scheduled"
        found.append(
            _drop_empty(
                {
                    "id": kind,
                    "title": title,
                    "type": "approval" if kind in PROCEDURES else "delivery",
                    "code": MILESTONE_CODES[kind],
                    "dueDate": dates.day(milestone.planned_on),
                    "dateMet": dates.day(milestone.actual_on),
                    "status": status,
                }
            )
        )
    if row.status == "suspended":
        found.append(
            _drop_empty(
                {
                    "id": SUSPENSION,
                    "title": "停工",
                    "code": SUSPENSION,
                    "status": "met",
                    "dateMet": dates.day(facts["since"]),
                    # The Monday of the first week of the reports saying so, as the registry knows no day.
                    "description": "周报报告停工",
                }
            )
        )
    return found


def _completion(row, facts, dates):
    if row.status != "completed":
        return None
    reached = next((m.actual_on for m in facts["milestones"] if m.kind == "completion" and m.actual_on), None)
    day = reached or facts["since"]
    if day is None:
        return {"endDateDetails": "周报已报竣工，竣工日期未报"}
    return {"endDate": dates.day(day)}
