"""Deterministic demo data. Every demo login's password is ``wuye-demo``.

The foundation creates projects and one login per role, then each project's archive (buildings,
units, people, parking, vehicles; see ``wuye.demo.archive``) in its own transaction; later modules
add their own builders to ``BUILDERS`` (each ``builder(rng, projects, options)``), run in order after
these.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

DEMO_PASSWORD = "wuye-demo"

PROJECT_NAMES = [
    ("P001", "锦绣花园", "上海", "浦东新区", "锦绣路1888弄"),
    ("P002", "翠湖天地", "杭州", "西湖区", "文三路66号"),
    ("P003", "望江名苑", "南京", "建邺区", "江东中路300号"),
    ("P004", "阳光丽景", "苏州", "工业园区", "星湖街128号"),
    ("P005", "春华里", "成都", "高新区", "天府大道北段999号"),
    ("P006", "金桂园", "武汉", "洪山区", "珞喻路520号"),
]

#: (username, display name, role slug, per project?)
STAFF = [
    ("kefu", "客服", "customer-service"),
    ("gongcheng", "工程", "engineer"),
    ("anbao", "安保", "security-guard"),
    ("baojie", "保洁", "cleaning-greening"),
    ("shouyin", "收银", "cashier"),
    ("caiwu", "财务", "finance"),
]

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


@dataclass
class DemoOptions:
    projects: int = 2
    seed: int = 2026
    #: units per project; a project that already has units is left alone
    units: int = 600
    progress: Callable[[str], None] | None = None


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@functools.cache
def demo_password_hash() -> str:
    """One Argon2 hash of the demo password for every demo login (hashing costs ~0.3 s each)."""
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


def make_user(username, display_name, phone=""):
    from wuye.accounts.models import User

    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "phone": phone}
    )
    if created:
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    return user


def grant(user, role_slug, project=None):
    from wuye.accounts.models import Membership, Role

    role = Role.objects.get(slug=role_slug)
    Membership.objects.get_or_create(user=user, role=role, project=project)


def build_projects(rng: random.Random, options: DemoOptions):
    from wuye.estate.models import Project

    projects = []
    for index in range(options.projects):
        code, name, city, district, address = PROJECT_NAMES[index % len(PROJECT_NAMES)]
        if index >= len(PROJECT_NAMES):
            code, name = f"P{index + 1:03d}", f"{name}{index // len(PROJECT_NAMES) + 1}期"
        project, _created = Project.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "city": city,
                "district": district,
                "address": address,
                "service_grade": ["grade_1", "grade_1", "grade_2"][index % 3],
                "fee_model": "lump_sum" if index % 2 == 0 else "commission",
                "managed_area": Decimal(rng.randrange(80_000, 400_000)).quantize(Decimal("0.01")),
                "service_phone": f"400-8{index:02d}-{rng.randrange(1000, 9999)}",
            },
        )
        projects.append(project)
    return projects


def build_users(rng: random.Random, projects):
    from wuye.accounts.roles import sync_system_roles

    sync_system_roles()
    admin = make_user("admin", "运营中心管理员", "13800000000")
    grant(admin, "ops-admin")
    auditor = make_user("auditor", "审计", "13800000009")
    grant(auditor, "auditor")
    for index, project in enumerate(projects, start=1):
        pm = make_user(f"pm{index}", f"{project.name}项目经理", f"1390000{index:04d}")
        grant(pm, "project-manager", project)
        for username, label, role in STAFF:
            user = make_user(
                f"{username}{index}", f"{project.name}{label}", f"13{rng.randrange(100000000, 999999999)}"
            )
            grant(user, role, project)


def _billing(rng, projects, options):
    from wuye.demo.billing import build_billing_demo

    return build_billing_demo(rng, projects, options)


def _service(rng, projects, options):
    from wuye.demo.billing import build_service

    return build_service(rng, projects, options)


#: builder(rng, projects, options), run in order after the archives
BUILDERS: list = [_billing, _service]


def build(options: DemoOptions) -> dict:
    from wuye.demo.archive import build_archive

    rng = random.Random(options.seed)
    with transaction.atomic():
        projects = build_projects(rng, options)
        build_users(rng, projects)
    archives = {}
    for project in projects:  # one transaction per project (inside build_archive)
        archives[project.code] = build_archive(
            project, units=options.units, seed=options.seed, progress=options.progress
        )
    with transaction.atomic():
        for builder in BUILDERS:
            builder(rng, projects, options)
    return {"projects": [p.code for p in projects], "archives": archives}


def logins(projects_count: int) -> list[tuple[str, str]]:
    rows = [
        ("admin", "运营中心管理员 / operations-centre admin"),
        ("auditor", "只读审计 / read-only auditor"),
    ]
    for i in range(1, projects_count + 1):
        rows.append((f"pm{i}", f"项目经理 / project manager, project {i}"))
        rows.extend((f"{u}{i}", f"{label} / {role}") for u, label, role in STAFF)
    return rows
