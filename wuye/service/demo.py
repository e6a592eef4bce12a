"""Demo data for the service desk: teams with members, and a few hundred work orders per project
taken through their real lifecycle (the services run at simulated past times), so timelines, SLA
results and KPIs look like a working project's last three months.

The lead hooks ``build_service_demo`` into ``wuye.demo.builders.BUILDERS``.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from unittest import mock

from django.utils import timezone

DESCRIPTIONS = {
    "漏水渗水": ["卫生间天花板渗水", "厨房水管接口漏水", "楼上漏水到我家客厅"],
    "停水": ["整栋楼突然停水", "家里没有水了，邻居也没有"],
    "下水堵塞": ["厨房下水道堵了", "马桶堵塞返水"],
    "电路故障": ["家里跳闸合不上", "楼道配电箱有焦味"],
    "开关插座": ["卧室插座没电", "开关面板松动"],
    "入户门": ["入户门锁芯坏了", "门关不严"],
    "窗户": ["窗户把手断了", "推拉窗卡住"],
    "单元门禁": ["单元门禁刷卡不开", "单元门关不上"],
    "电梯困人": ["电梯困人，2人被困", "电梯停在两层之间有人"],
    "电梯故障": ["电梯不运行", "电梯门反复开关"],
    "电梯异响": ["电梯运行有异响"],
    "路灯照明": ["小区南门路灯不亮", "地库照明坏了一排"],
    "消防设施": ["消防栓箱门损坏", "烟感报警器误报"],
    "道路井盖": ["井盖松动有响声", "路面破损积水"],
    "垃圾清运": ["垃圾桶满了没人清", "建筑垃圾堆在楼下"],
    "楼道保洁": ["楼道很脏很久没拖", "楼梯扶手有油污"],
    "装修噪音": ["周末早上装修噪音", "中午午休时间在电钻"],
    "邻里噪音": ["楼上深夜有跑跳声", "邻居狗一直叫"],
    "车位占用": ["我的车位被别人占了", "消防通道有车辆停放"],
    "道闸故障": ["车库道闸抬不起来"],
    "物业费": ["物业费怎么计算的", "咨询物业费缴费方式"],
    "意见建议": ["建议增加快递柜", "建议小区增加儿童游乐设施"],
    "表扬": ["表扬维修师傅服务好", "感谢保安帮忙搬东西"],
}
KINDS = {
    "噪音": "complaint",
    "车位占用": "complaint",
    "垃圾清运": "complaint",
    "楼道保洁": "complaint",
    "物业费": "consultation",
    "意见建议": "suggestion",
    "表扬": "praise",
}
SOURCES = ["phone"] * 5 + ["counter", "portal", "portal", "app", "patrol", "inspection", "device_alarm"]
PRIORITY = ["normal"] * 6 + ["urgent", "urgent", "low", "emergency"]


@contextlib.contextmanager
def simulated_clock(start: datetime.datetime):
    """``timezone.now()`` returns a time the caller moves with ``advance(minutes)``."""
    state = {"now": start}

    def advance(minutes: float = 0, at: datetime.datetime | None = None):
        state["now"] = at if at is not None else state["now"] + datetime.timedelta(minutes=minutes)
        return state["now"]

    with mock.patch("django.utils.timezone.now", lambda: state["now"]):
        yield advance


def _staff(project, prefix, index, role, count, rng):
    from wuye.demo.builders import grant, make_user

    users = []
    for i in range(count):
        suffix = "" if i == 0 else chr(ord("a") + i)
        user = make_user(
            f"{prefix}{index}{suffix}",
            f"{project.name}{'工程' if role == 'engineer' else '客服'}{i + 1}",
            f"13{rng.randrange(100000000, 999999999)}",
        )
        grant(user, role, project)
        users.append(user)
    return users


def build_service_demo(rng: random.Random, projects, options) -> dict:
    from wuye.estate.models import Unit
    from wuye.residents.models import Ownership
    from wuye.service import services
    from wuye.service.choices import DispatchModeChoices
    from wuye.service.models import Category, PriceItem, Team, WorkOrder

    orders_per_project = getattr(options, "service_orders", 300)
    made = {}
    for index, project in enumerate(projects, start=1):
        if WorkOrder.objects.filter(project=project).exists():
            continue
        services.ensure_service_setup(project)
        engineers = _staff(project, "gongcheng", index, "engineer", 3, rng)
        agents = _staff(project, "kefu", index, "customer-service", 1, rng)
        works = Team.objects.get(project=project, name="工程维修组")
        works.leader = engineers[0]
        works.dispatch_mode = DispatchModeChoices.LEAST_LOADED
        works.save()
        works.members.set(engineers)
        desk = Team.objects.get(project=project, name="客服组")
        desk.leader = agents[0]
        desk.save()
        desk.members.set(agents)
        for name, kind, unit_label, price in (
            ("上门维修（人工）", "labour", "次", "50.00"),
            ("疏通下水道", "labour", "次", "80.00"),
            ("水龙头", "material", "个", "45.00"),
            ("角阀", "material", "个", "25.00"),
            ("LED灯泡", "material", "个", "15.00"),
            ("门锁锁芯", "material", "个", "120.00"),
        ):
            PriceItem.objects.get_or_create(
                project=project, name=name, defaults={"kind": kind, "unit_label": unit_label, "price": price}
            )
        leaves = [
            c
            for c in Category.objects.filter(project=project, parent__isnull=False)
            if c.name in DESCRIPTIONS
        ]
        owners = list(
            Ownership.objects.filter(project=project, end_date__isnull=True).select_related("unit", "person")[
                :400
            ]
        )
        units = list(Unit.objects.filter(project=project)[:400])
        manager = agents[0]
        now = timezone.now()
        count = 0
        for _ in range(orders_per_project):
            reported = now - datetime.timedelta(minutes=rng.randrange(30, 90 * 24 * 60))
            reported = reported.replace(hour=rng.choice((8, 9, 10, 11, 14, 15, 16, 19, 20)))
            if reported > now:
                reported = now - datetime.timedelta(hours=1)
            with simulated_clock(reported) as clock:
                _one_order(rng, project, leaves, owners, units, manager, engineers, clock, now)
            count += 1
        made[project.code] = count
    return made


def _one_order(rng, project, leaves, owners, units, manager, engineers, clock, now):
    from django.core.exceptions import ValidationError

    from wuye.service import services
    from wuye.service.models import PriceItem, WorkOrder

    category = rng.choice(leaves)
    kind = KINDS.get(category.name) or KINDS.get(category.parent.name, "repair")
    owner = rng.choice(owners) if owners and rng.random() < 0.8 else None
    household = kind == "repair" and owner is not None and category.parent.name in ("水电", "门窗")
    unit = owner.unit if owner else (rng.choice(units) if units and kind == "complaint" else None)
    order = WorkOrder(
        project=project,
        kind=kind,
        source=rng.choice(SOURCES),
        category=category,
        priority="emergency"
        if category.default_priority == "emergency"
        else (category.default_priority or rng.choice(PRIORITY)),
        repair_scope=("household" if household else "common") if kind == "repair" else "",
        unit=unit if (household or kind != "repair") else None,
        location=""
        if household
        else rng.choice(["1栋大堂", "南门", "地下车库B1", "中心花园", "3栋2单元楼道"]),
        reporter=owner.person if owner else None,
        contact_name=owner.person.name if owner else "",
        contact_phone=owner.person.phone if owner else "",
        description=rng.choice(DESCRIPTIONS[category.name]),
        is_paid=household and rng.random() < 0.15,
        responsible_department=rng.choice(["customer_service", "engineering", "security", "cleaning"])
        if kind == "complaint"
        else "",
        complaint_cause=rng.choice(["noise", "environment", "parking", "response", "attitude"])
        if kind == "complaint"
        else "",
    )
    order = services.do_create_workorder(actor=manager, order=order)
    age_hours = (now - order.reported_at).total_seconds() / 3600
    fast = order.priority in ("emergency", "urgent")
    if kind != "repair":
        if age_hours > 2 or rng.random() < 0.7:
            clock(rng.randrange(5, 90))
            order = services.do_resolve_workorder(actor=manager, order=order, resolution="已电话答复并处理")
            _after(rng, order, manager, now, clock)
        return
    if order.status == "new":
        if age_hours < 0.5 and rng.random() < 0.5:
            return
        clock(rng.randrange(1, 20))
        order = services.do_assign_workorder(actor=manager, order=order, assignee=rng.choice(engineers))
    engineer = order.assignee
    if age_hours < 1 and rng.random() < 0.5:
        return
    clock(rng.randrange(1, 15 if fast else 60))
    order = services.do_accept_workorder(actor=engineer, order=order)
    clock(rng.randrange(10, 45 if fast else 24 * 60))
    if clock(0) > now:
        return
    order = services.do_arrive_workorder(actor=engineer, order=order)
    order = services.do_start_workorder(actor=engineer, order=order)
    if rng.random() < 0.12:
        order = services.do_pause_workorder(
            actor=engineer, order=order, reason=rng.choice(["parts", "owner"])
        )
        clock(rng.randrange(60, 48 * 60))
        if clock(0) > now:
            return
        order = services.do_resume_workorder(actor=engineer, order=order)
    if order.is_paid:
        for item in PriceItem.objects.filter(project=order.project).order_by("?")[:2]:
            services.do_add_quote_line(actor=engineer, order=order, price_item=item)
        services.do_propose_quote(actor=engineer, order=order)
        services.do_accept_quote(actor=manager, order=order)
    clock(rng.randrange(15, 240))
    if clock(0) > now:
        return
    try:
        order = services.do_complete_workorder(
            actor=engineer, order=order, resolution="已修复，业主现场确认", materials="常用配件"
        )
    except ValidationError:  # e.g. billing refuses the charge: leave the order in progress
        return
    _after(rng, order, manager, now, clock)


def _after(rng, order, manager, now, clock):
    from wuye.service import services

    clock(rng.randrange(60, 3 * 24 * 60))
    if clock(0) > now:
        return
    satisfied = rng.random() > 0.06
    order = services.do_confirm_workorder(
        actor=manager, order=order, satisfied=satisfied, rating=rng.choice((4, 5, 5))
    )
    if not satisfied:
        return
    if order.return_visit_required or rng.random() < 0.3:
        clock(rng.randrange(60, 2 * 24 * 60))
        if clock(0) > now:
            return
        if order.status != "confirmed":
            return
        score = rng.choice((5, 5, 5, 5, 4, 4, 4, 4, 3, 2))
        services.do_return_visit_workorder(
            actor=manager,
            order=order,
            satisfaction=score,
            close=True,
            comment="满意" if score >= 4 else "一般",
        )
    else:
        services.do_close_workorder(actor=manager, order=order)
