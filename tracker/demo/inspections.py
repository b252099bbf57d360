"""The demo city's inspection round, after the seed: 5 督查组 went to 71 units in five days by 实地走访、查阅资料、座谈交流,
put what they found on the ledger with a deadline, published the 督查通报, and have since re-checked (回头看) part of it."""

import datetime as dt

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.demo.city import COUNTIES, DEPARTMENTS
from tracker.inspections.bulletins import draft_bulletin, publish_bulletin
from tracker.inspections.models import METHODS
from tracker.inspections.rounds import add_finding, add_group, add_visit, create_round, record_recheck
from tracker.problems.ledger import change_problem

# The seed's figures: 5 groups, 71 units.
INSPECTION = {"groups": 5, "units": 71}


GROUPS = (
    ("第一督查组", "周建国", "李红、王磊"),
    ("第二督查组", "陈志强", "赵敏、孙涛"),
    ("第三督查组", "杨立新", "刘洋、何静"),
    ("第四督查组", "吴振华", "郑凯、冯丽"),
    ("第五督查组", "黄文斌", "许亮、韩雪"),
)


# The county offices each group visited, twelve to a county (6 × 12 ≥ 71).
AGENCIES = (
    "发展和改革局", "住房和城乡建设局", "自然资源局", "交通运输局", "工业和信息化局", "行政审批服务局",
    "财政局", "商务局", "文化和旅游局", "应急管理局", "水务局", "农业农村局",
)  # fmt: skip


# What the groups found: (the visit's number, what, days after the round to rectify, what became of it).
# "closed": rectified, closed at the 回头看; "kept": not rectified at the 回头看, a new deadline; "overdue": past its
# deadline, not yet re-checked; "resolved": the department reports it rectified, before its deadline; "open": not yet due.
FINDINGS = (
    (0, "“三抓三促”行动方案未细化分解到科室和个人", 20, "closed"),
    (3, "项目前期手续办理台账更新不及时", 20, "closed"),
    (9, "重点项目包抓责任落实不到位，现场调研记录缺失", 20, "closed"),
    (17, "审批事项超时限办理，未执行并联审批", 20, "kept"),
    (22, "招商引资项目跟踪服务台账不完整", 20, "overdue"),
    (30, "安全生产隐患排查整改未形成闭环", 20, "closed"),
    (38, "专项债券资金支付进度慢于序时", 45, "resolved"),
    (45, "问题整改清单未按期报送", 45, "resolved"),
    (51, "作风建设专项检查资料不齐全", 45, "open"),
    (58, "惠企政策落实情况未公开公示", 45, "open"),
    (64, "重点项目要素保障协调机制未建立", 45, "open"),
    (70, "群众反映问题办理回复不及时", 45, "open"),
)


def write_inspections(config, today):
    """One round ended a month ago: its groups, 71 visits, findings on the ledger, the bulletin, a partial re-check."""
    office, inspector = (User.get(username=name) for name in ("office", "inspector"))
    starts = today - dt.timedelta(days=35)
    ends = starts + dt.timedelta(days=4)
    with db.atomic():
        inspection_round = create_round(
            "“三抓三促”行动督查", "关于开展“三抓三促”行动督查工作的通知", starts, ends, inspector
        )
        groups = [add_group(inspection_round, *group) for group in GROUPS]
        visits = [
            add_visit(
                groups[n % len(groups)],
                f"{COUNTIES[n % len(COUNTIES)]}{AGENCIES[n // len(COUNTIES)]}",
                COUNTIES[n % len(COUNTIES)],
                starts + dt.timedelta(days=n % 5),
                METHODS if n % 3 == 0 else METHODS[:2],
            )
            for n in range(INSPECTION["units"])
        ]
        raised = dt.datetime.combine(ends + dt.timedelta(days=1), dt.time(2))
        findings = []
        for n, (visit, what, days, fate) in enumerate(FINDINGS):
            department = DEPARTMENTS[n % 3]
            finding = add_finding(visits[visit], what, department, ends + dt.timedelta(days=days), inspector, raised)
            findings.append((finding, fate))
        bulletin = draft_bulletin(inspection_round, config, office)
        published = raised + dt.timedelta(days=2)
        publish_bulletin(bulletin, inspector, config, published.date(), now=published)
        _follow(findings, office, inspector, today)


def _follow(findings, office, inspector, today):
    """What became of each finding: reported rectified, or re-checked (回头看) after its deadline."""
    rechecked = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(2))
    for finding, fate in findings:
        problem = finding.problem
        if fate == "resolved":
            replied = rechecked - dt.timedelta(days=3)
            change_problem(problem, office, "reply", "已按通报要求整改到位", status="resolved", now=replied)
        elif fate in ("closed", "kept"):
            rectified = fate == "closed"
            note = "整改资料齐全，现场核实已整改" if rectified else "并联审批系统尚未上线，整改未到位"
            deadline = None if rectified else today + dt.timedelta(days=20)
            record_recheck(finding, inspector, rechecked.date(), rectified, note, deadline, now=rechecked)
