import random

from wuye.service.demo import build_service_demo
from wuye.service.models import WorkOrder


def test_demo_builder_makes_orders_through_their_lifecycle(cast):
    from wuye.demo.builders import DemoOptions

    options = DemoOptions(projects=1, units=40)
    options.service_orders = 40
    from wuye.demo.archive import build_archive

    build_archive(cast.project_a, units=40, seed=1)
    made = build_service_demo(random.Random(7), [cast.project_a], options)
    assert made == {cast.project_a.code: 40}
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert {"closed"} <= statuses and len(statuses) >= 2
    assert WorkOrder.objects.filter(response_seconds__isnull=False).count() > 10
    # running it again leaves a project with orders alone
    assert build_service_demo(random.Random(7), [cast.project_a], options) == {}


def test_demo_orders_have_return_visits(cast):
    from wuye.demo.archive import build_archive
    from wuye.demo.builders import DemoOptions

    build_archive(cast.project_a, units=40, seed=2)
    options = DemoOptions(projects=1, units=40)
    options.service_orders = 60
    build_service_demo(random.Random(11), [cast.project_a], options)
    assert WorkOrder.objects.filter(satisfaction__isnull=False).exists()
    assert WorkOrder.objects.filter(status="in_progress").count() < 10
