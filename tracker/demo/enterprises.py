"""The demo city's enterprises above designated size: 78 listed, 73 resumed (93.5 %), as the seed report
says (全市78户规模以上工业企业，已复工复产73户), and a few production-factor problems, one overdue."""

import datetime as dt

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.demo.city import CHAINS, COUNTIES, DEPARTMENTS
from tracker.enterprises.models import Enterprise, EnterpriseStatus
from tracker.enterprises.resumption import raise_factor_problem

ENTERPRISES, RESUMED = 78, 73

# The departments in charge, in turn: mostly 工信, some the demo department account's (DEPARTMENTS[0]).
IN_CHARGE = ("市工信局", DEPARTMENTS[0], "市工信局", "市商务局", "市农业农村局")

TRADES = (
    "化工",
    "新材料",
    "食品",
    "机械",
    "建材",
    "纺织",
    "电子",
    "医药",
    "能源",
    "包装",
    "物流装备",
    "农产品加工",
    "印刷",
)

# (enterprise index, factor, description, raised days ago, days given): the last is overdue.
FACTOR_PROBLEMS = (
    (74, "labour", "熟练工返岗不足，缺工约 60 人", 6, 20),
    (75, "raw_materials", "上游原料供应中断，库存仅够 3 天", 4, 15),
    (76, "energy", "新增用电负荷待供电公司接入", 3, 30),
    (77, "transport", "原料运输车辆通行证办理滞后", 25, 10),
)


def write_enterprises(today):
    """The 78 enterprises, listed 60 days ago; 73 resumed on dates over the weeks since; their factor problems."""
    listed = today - dt.timedelta(days=60)
    office = User.get_or_none(User.username == "office")
    with db.atomic():
        enterprises = [
            Enterprise.create(
                name=f"{COUNTIES[n % len(COUNTIES)]}{TRADES[n % len(TRADES)]}{'甲乙丙丁戊己'[n // 13]}有限公司",
                credit_code=f"91610100MA{n:07d}X" if n % 3 else None,  # a third of real lists lack the code
                county=COUNTIES[n % len(COUNTIES)],
                industry_chain=list(CHAINS)[n % len(CHAINS)],
                department=IN_CHARGE[n % len(IN_CHARGE)],
                contact="张" + "伟芳敏静强磊"[n % 6],
                phone=f"1390000{n:04d}",
                listed_on=listed,
            )
            for n in range(ENTERPRISES)
        ]
        EnterpriseStatus.insert_many(
            {"enterprise": e, "status": "resumed", "on": listed + dt.timedelta(days=1 + n % 50), "user": office}
            for n, e in enumerate(enterprises[:RESUMED])
        ).execute()
        for index, factor, description, ago, days in FACTOR_PROBLEMS:
            raised = dt.datetime.combine(today - dt.timedelta(days=ago), dt.time(10))
            deadline = raised.date() + dt.timedelta(days=days)
            raise_factor_problem(enterprises[index], factor, description, deadline, office, now=raised)
