"""The 督查通报: drafted from a round's findings, reviewed and published by the inspector, then read-only.

Publishing numbers it (X重项办督〔2026〕3号) with the criticism notices' numbering and
freezes it: every change is a conditional write on ``state = 'draft'``, as the notices' are."""

import datetime as dt
import json
from collections import Counter

from tracker.core.db import db
from tracker.inspections.models import Finding, InspectionBulletin, InspectionGroup, InspectionVisit
from tracker.inspections.rounds import InspectionError
from tracker.notices.documents import chinese_date, chinese_number, heading, official_document, paragraph, table
from tracker.notices.drafting import check_changed, publish_numbered

# The number's prefix after the notices' own (X重项办 → X重项办督).
NUMBER_MARK = "督"


# 整改要求 of a bulletin: {issuer} is the issuing office; the deadlines are each finding's own.
RECTIFICATION = """
（一）各责任单位要对照通报的问题逐条制定整改措施，明确责任人，在限定期限内整改到位，并将整改情况书面报送{issuer}。
（二）各责任部门和县区要督促指导责任单位抓好整改，对整改情况跟踪问效，做到问题不解决不放过。
（三）整改期限届满后，{issuer}将会同市纪委监委开展“回头看”，对整改不力、敷衍整改的单位，依规依纪严肃追责问责。
"""


FINDINGS_HEADER = ("序号", "被督查单位", "县区", "发现问题", "责任部门", "整改期限")


# The columns' widths in mm (the text block's 156 mm): the problem widest; the deadline in two lines (2026年 / 11月22日).
FINDINGS_WIDTHS = (14, 30, 20, 40, 24, 28)


def draft_bulletin(inspection_round, config, user):
    """The round's 督查通报, drafted from its findings as they stand; one bulletin a round."""
    if InspectionBulletin.select().where(InspectionBulletin.round == inspection_round).exists():
        raise InspectionError("本轮督查已有督查通报")
    findings = [
        {
            "group": f.group.name,
            "unit": f.problem.about,
            "county": f.visit.county,
            "description": f.problem.description,
            "department": f.problem.department,
            "deadline": f.problem.deadline.isoformat(),
        }
        for f in Finding.of_round(inspection_round)
    ]
    if not findings:
        raise InspectionError("本轮督查还没有发现问题，无法起草督查通报")
    with db.atomic():
        return InspectionBulletin.create(
            round=inspection_round,
            title=f"关于{inspection_round.title}发现问题的通报",
            preamble=_preamble(inspection_round, len(findings)),
            issuer=config["notices"]["issuer"],
            findings_data=json.dumps(findings, ensure_ascii=False),
            created_by=user,
        )


def _preamble(inspection_round, finding_count):
    """The seed's opening: the notice, the days, how many groups went to how many units, how many problems."""
    r = inspection_round
    groups = r.groups.count()
    units = InspectionVisit.select().join(InspectionGroup).where(InspectionGroup.round == r).count()
    notice = f"制定下发《{r.notice_title}》，" if r.notice_title else ""
    return (
        f"{notice}{chinese_date(r.starts_on)}至{chinese_date(r.ends_on)}，{groups}个督查组深入到{units}个单位，"
        f"通过实地走访、查阅资料、座谈交流等方式开展监督检查，发现具体问题{finding_count}条。现将有关情况通报如下。"
    )


def edit_bulletin(bulletin, title, preamble):
    title = (title or "").strip()
    if not title:
        raise InspectionError("请填写通报标题", "title")
    changed = (
        InspectionBulletin.update(title=title, preamble=(preamble or "").strip())
        .where((InspectionBulletin.id == bulletin.id) & (InspectionBulletin.state == "draft"))
        .execute()
    )
    check_changed(changed, InspectionBulletin.PUBLISHED)


def publish_bulletin(bulletin, user, config, day, now=None):
    """Number the bulletin (next of ``day``'s year), date it ``day`` and freeze it; return it as published."""
    prefix = config["notices"]["number_prefix"] + NUMBER_MARK
    return publish_numbered(InspectionBulletin, bulletin.id, prefix, user, day, now)


def bulletin_docx(bulletin, settings):
    """The bulletin as a 红头文件 (.docx bytes), laid out as the criticism notices are; ``settings`` is [notices]."""
    content = {
        "title": bulletin.title,
        "number": bulletin.number or "（草稿，未编号）",
        "issuer": bulletin.issuer,
        "date": bulletin.published_on or bulletin.created_at.date(),
        "preamble": bulletin.preamble,
        "findings": bulletin.findings,
        "rectification": RECTIFICATION,
        "copy_to": settings["copy_to"],
    }
    return official_document(content, _body)


def _body(document, content):
    for text in content["preamble"].splitlines():
        if text.strip():
            paragraph(document, text.strip())
    findings = content["findings"]
    heading(document, "一、督查发现的问题")
    by_department = Counter(f["department"] for f in findings)
    paragraph(
        document,
        f"本次督查共发现问题{len(findings)}条，涉及责任部门{len(by_department)}个，"
        "已逐条明确责任部门和整改期限，列表如下。",
    )
    keys = ("unit", "county", "description", "department")
    rows = [(n, *(f[k] for k in keys), _deadline(f["deadline"])) for n, f in enumerate(findings, start=1)]
    table(document, FINDINGS_HEADER, rows, left=(1, 3), widths_mm=FINDINGS_WIDTHS)
    heading(document, "二、各责任部门问题数")
    for n, (department, count) in enumerate(by_department.most_common(), start=1):
        paragraph(document, f"（{chinese_number(n)}）{department}：{count}条。")


def _deadline(iso):
    """2026年, then 11月22日 on a line of its own: a table's narrow column breaks a date where it reads well."""
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年\n{day.month}月{day.day}日"
