"""The demo city's letters and visits (来信来访): the seed's fifteen complaints transferred to the city
(2 provincial, 12 city-level, 1 of its own), 4 replied and closed, and a few past their deadline."""

import datetime as dt

from tracker.accounts.models import User
from tracker.letters.handling import close_letter, register_letter, reply_to_letter

# (level, channel, days ago received, summary, unit, what became of it: None unanswered, "replied" or "closed").
# 市发展改革委 is the demo department's, 南湖县 the demo county's: their accounts see and answer those letters;
# the other units have no demo account, and their replies are on record without one.
STORIES = (
    ("provincial", "online", 40, "反映某产业园项目施工扬尘污染周边村庄", "市发展改革委", "closed"),
    ("provincial", "letter", 25, "举报项目征地补偿款发放不到位", "南湖县", None),
    ("city", "call", 60, "反映项目工地夜间施工噪音扰民", "市住建局", "closed"),
    ("city", "visit", 55, "反映务工人员工资被拖欠", "市发展改革委", "closed"),
    ("city", "letter", 50, "举报项目招投标存在围标串标嫌疑", "市发展改革委", "replied"),
    ("city", "online", 35, "反映物流园项目占用基本农田", "南湖县", "closed"),
    ("city", "call", 30, "反映项目进场道路损毁未修复", "市交通运输局", None),
    ("city", "letter", 28, "反映包抓部门对企业诉求推诿扯皮", "市发展改革委", None),
    ("city", "online", 22, "反映文旅项目停工半年无人过问", "市文旅局", "replied"),
    ("city", "visit", 20, "反映安置房建设进度滞后", "南湖县", None),
    ("city", "letter", 12, "反映项目审批材料反复退回", "市自然资源局", None),
    ("city", "online", 9, "反映项目用电报装久拖不办", "市工信局", None),
    ("city", "call", 6, "反映施工车辆超载破坏村道", "北山县", None),
    ("city", "letter", 3, "反映项目环评公示期间未听取村民意见", "市发展改革委", None),
    ("local", "visit", 18, "反映本级重点项目配套资金迟迟未拨付", "市商务局", None),
)

REPLIES = {
    "replied": "已约谈项目单位，责成限期整改，整改情况另行报告。",
    "closed": "经核查情况属实，已督促整改到位，并向信访人当面反馈。",
}


def write_letters(config, today):
    """Register the STORIES as the office did, the units' replies and the inspector's closings."""
    office, inspector, department = (User.get(username=name) for name in ("office", "inspector", "department"))
    county = User.get_or_none(username="county")
    units = {department.department: department, **({c: county for c in county.counties} if county else {})}
    reply_days = config["letters"]["reply_days"]
    for n, (level, channel, ago, summary, unit, outcome) in enumerate(STORIES):
        received = today - dt.timedelta(days=ago)
        at = dt.datetime.combine(received + dt.timedelta(days=1), dt.time(2))  # UTC: 10:00 in the city
        values = {
            "level": level,
            "channel": channel,
            "received_on": received,
            "transferred_on": at.date(),
            "summary": summary,
            "complainant_name": f"{'王李张刘陈'[n % 5]}某",
            "complainant_phone": f"1380000{n:04d}",
            "unit": unit,
            "person_in_charge": f"{unit}信访专干",
        }
        letter = register_letter(values, office, reply_days, at.date(), now=at)
        if outcome:
            answered = at + dt.timedelta(days=reply_days - 5)
            reply_to_letter(letter, units.get(unit), REPLIES[outcome], answered.date(), now=answered)
            if outcome == "closed":
                close_letter(letter, inspector, now=answered + dt.timedelta(days=2))
