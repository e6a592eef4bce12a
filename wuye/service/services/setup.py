"""Defaults for a project's service desk: settings, a category tree, teams and SLA rules.

They are created the first time a project gets a work order (or by ``manage.py service_setup``),
from the project's service grade (national 2004 grades; 一级 is the default).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from wuye.service.choices import DispatchModeChoices, PriorityChoices, WorkOrderKindChoices
from wuye.service.models import Category, ServiceSettings, SlaRule, Team

K = WorkOrderKindChoices
P = PriorityChoices

#: team name -> top-level categories it handles by default
DEFAULT_TEAMS = {
    "工程维修组": ("水电", "门窗", "电梯", "公共设施"),
    "客服组": ("费用", "服务态度", "咨询建议"),
    "秩序维护组": ("安全秩序", "停车", "噪音"),
    "保洁绿化组": ("环境卫生",),
}

#: top-level category -> [(child, default priority or "")]
DEFAULT_CATEGORIES = {
    "水电": [
        ("漏水渗水", P.URGENT),
        ("停水", P.URGENT),
        ("下水堵塞", ""),
        ("电路故障", P.URGENT),
        ("开关插座", ""),
    ],
    "门窗": [("入户门", ""), ("窗户", ""), ("单元门禁", P.URGENT)],
    "电梯": [("电梯困人", P.EMERGENCY), ("电梯故障", P.URGENT), ("电梯异响", "")],
    "公共设施": [("路灯照明", ""), ("消防设施", P.URGENT), ("道路井盖", ""), ("健身器材", "")],
    "环境卫生": [("垃圾清运", ""), ("楼道保洁", ""), ("绿化养护", P.LOW), ("虫害消杀", "")],
    "噪音": [("装修噪音", ""), ("邻里噪音", ""), ("设备噪音", "")],
    "安全秩序": [("可疑人员", P.URGENT), ("高空抛物", P.URGENT), ("门岗通行", "")],
    "停车": [("车位占用", ""), ("道闸故障", P.URGENT), ("乱停乱放", "")],
    "费用": [("物业费", P.LOW), ("水电费", P.LOW), ("发票", P.LOW)],
    "服务态度": [],
    "咨询建议": [("办事咨询", P.LOW), ("意见建议", P.LOW), ("表扬", P.LOW)],
}

#: minutes per grade: emergency on site 30 min (一级), 1 h (二级), 2 h (三级)
GRADE_FACTORS = {"grade_1": 1, "grade_2": 1.5, "grade_3": 2}
EMERGENCY_ARRIVE = {"grade_1": 30, "grade_2": 60, "grade_3": 120}


def _default_rules(grade: str) -> list[dict]:
    f = GRADE_FACTORS.get(grade, 1)

    def m(minutes):
        return int(minutes * f)

    return [
        # repairs, by priority
        {
            "kind": K.REPAIR,
            "priority": P.EMERGENCY,
            "accept": 10,
            "arrive": EMERGENCY_ARRIVE.get(grade, 30),
            "complete": m(240),
        },
        {"kind": K.REPAIR, "priority": P.URGENT, "accept": m(15), "arrive": m(60), "complete": m(480)},
        {
            "kind": K.REPAIR,
            "priority": P.NORMAL,
            "accept": m(30),
            "arrive_at_appointment": True,
            "complete": m(2880),
        },
        {"kind": K.REPAIR, "priority": P.LOW, "accept": m(60), "complete": m(4320)},
        # complaints: answered within an hour, handled within a day (configurable per project)
        {"kind": K.COMPLAINT, "accept": m(60), "complete": m(1440)},
        {"kind": K.CONSULTATION, "accept": m(30), "complete": m(240)},
        {"kind": K.SUGGESTION, "complete": m(4320)},
        {"kind": K.PRAISE, "complete": m(4320)},
        # elevator entrapment: technician on site within 30 minutes whatever the grade
        {
            "kind": K.REPAIR,
            "category": "电梯",
            "priority": P.EMERGENCY,
            "accept": 5,
            "arrive": 30,
            "complete": 120,
        },
    ]


def seed_categories(project) -> int:
    """Create the default teams and category tree where the project has none; returns categories made."""
    if Category.objects.filter(project=project).exists():
        return 0
    teams = {}
    for name in DEFAULT_TEAMS:
        teams[name], _ = Team.objects.get_or_create(
            project=project, name=name, defaults={"dispatch_mode": DispatchModeChoices.MANUAL}
        )
    team_of = {cat: teams[t] for t, cats in DEFAULT_TEAMS.items() for cat in cats}
    made = 0
    for order, (top, children) in enumerate(DEFAULT_CATEGORIES.items()):
        parent = Category.objects.create(
            project=project, name=top, default_team=team_of.get(top), sort_order=order * 10
        )
        made += 1
        for i, (child, priority) in enumerate(children):
            Category.objects.create(
                project=project, parent=parent, name=child, default_priority=priority, sort_order=i
            )
            made += 1
    return made


def seed_sla_rules(project) -> int:
    if SlaRule.objects.filter(project=project).exists():
        return 0
    made = 0
    for spec in _default_rules(project.service_grade):
        category = None
        if spec.get("category"):
            category = Category.objects.filter(project=project, parent=None, name=spec["category"]).first()
            if category is None:
                continue
        SlaRule.objects.create(
            project=project,
            kind=spec.get("kind", ""),
            category=category,
            priority=spec.get("priority", ""),
            accept_minutes=spec.get("accept"),
            arrive_minutes=spec.get("arrive"),
            arrive_at_appointment=spec.get("arrive_at_appointment", False),
            complete_minutes=spec.get("complete"),
        )
        made += 1
    return made


def ensure_service_setup(project) -> ServiceSettings:
    """The project's settings, creating settings, categories, teams and SLA rules on first use."""
    found = ServiceSettings.objects.filter(project=project).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            found = ServiceSettings.objects.create(project=project)
            seed_categories(project)
            seed_sla_rules(project)
    except IntegrityError:  # another request set the project up first
        found = ServiceSettings.objects.get(project=project)
    return found
