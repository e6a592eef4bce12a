"""Owners (with co-owners and the developer), tenants, vehicles and parking spaces."""

import pytest

from wuye.core.importing.tests.sheets import owners_workbook, resident_id, workbook_bytes
from wuye.estate.models import ParkingLot, ParkingSpace, Unit
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle


@pytest.mark.django_db
def test_owner_roster_creates_units_people_and_ownerships(cast, run):
    out = run("owners", owners_workbook(), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == [] and out.committed
    assert out.counts["units_created"] == 4 and out.counts["people_created"] == 5
    assert out.counts["ownerships_created"] == 5
    owners = {
        (o.unit.code, o.person.name): o
        for o in Ownership.objects.select_related("unit", "person").filter(project=cast.project_a)
    }
    assert set(owners) == {
        ("1-1-101", "张三"),
        ("1-1-102", "李四"),
        ("1-2-201", "王五"),
        ("1-2-201", "赵六"),
        ("2-1-1201", "孙七"),
    }
    # co-owners on two rows: one unit, equal shares, the first row represents them
    wang, zhao = owners[("1-2-201", "王五")], owners[("1-2-201", "赵六")]
    assert (wang.share, wang.is_representative, zhao.share, zhao.is_representative) == (50, True, 50, False)
    li = owners[("1-1-102", "李四")].person
    assert li.phone == "13812341235"  # a float in the cell
    zhang = owners[("1-1-101", "张三")].person
    assert zhang.phone == "13812341234" and zhang.id_number == resident_id(1)
    assert zhang.gender == "male" and str(zhang.birth_date) == "1985-06-15"  # from the ID number
    assert (
        zhang.id_number_masked.startswith("1") and zhang.phone_tail == "1234" and zhang.name_initials == "zs"
    )
    unit = Unit.objects.get(code="1-1-101")
    assert unit.status == "occupied" and str(unit.delivery_date) == "2023-03-15"  # Excel serial 45000
    assert str(Unit.objects.get(code="1-2-201").building_area) == "120.00"  # "２０１" full-width room
    assert Unit.objects.get(code="2-1-1201").status == "sold_undelivered"


@pytest.mark.django_db
def test_owner_roster_reimport_adds_nothing(cast, run):
    run("owners", owners_workbook(), project=cast.project_a, actor=cast.manager_a, commit=True)
    out = run("owners", owners_workbook(), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == []
    assert out.counts["people_created"] == 0 and out.counts["ownerships_created"] == 0
    assert out.counts["ownerships_unchanged"] == 5 and out.counts["units_created"] == 0
    assert Person.objects.count() == 5 and Ownership.objects.count() == 5 and Unit.objects.count() == 4


@pytest.mark.django_db
def test_a_bad_owner_row_blocks_the_whole_file(cast, run):
    out = run("owners", owners_workbook(bad=True), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert [(p.row, p.column) for p in out.problems] == [(8, "建筑面积（㎡）")]
    assert not out.committed
    assert not Person.objects.exists() and not Unit.objects.exists() and not Ownership.objects.exists()


@pytest.mark.django_db
def test_owners_take_over_units_from_the_developer(cast, run):
    units = workbook_bytes(
        [["楼栋", "单元", "房号", "面积", "状态"], [1, 1, 101, 90, "未售"], [1, 1, 102, 90, "未售"]]
    )
    run("units", units, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert Ownership.objects.filter(person__is_developer=True).count() == 2
    owners = workbook_bytes(
        [
            ["楼栋", "单元", "房号", "业主", "手机", "份额", "登记日期"],
            [1, 1, 101, "张三", "13800000001", "60%", "2024-01-02"],
            [1, 1, 101, "李四", "13800000002", "40%", "2024-01-02"],
        ]
    )
    out = run("owners", owners, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == [] and out.counts["developer_ended"] == 1
    current = Ownership.objects.current().filter(unit__code="1-1-101").order_by("-share")
    assert [(o.person.name, o.share) for o in current] == [("张三", 60), ("李四", 40)]
    ended = Ownership.objects.get(unit__code="1-1-101", person__is_developer=True)
    assert str(ended.end_date) == "2024-01-02"
    assert Unit.objects.get(code="1-1-101").status == "sold_undelivered"
    assert Ownership.objects.current().get(unit__code="1-1-102").person.is_developer


@pytest.mark.django_db
def test_other_owners_are_not_silently_replaced(cast, run):
    first = workbook_bytes([["楼栋", "房号", "面积", "业主", "手机"], [1, 101, 90, "张三", "13800000001"]])
    run("owners", first, project=cast.project_a, actor=cast.manager_a, commit=True)
    second = workbook_bytes([["楼栋", "房号", "面积", "业主", "手机"], [1, 101, 90, "王五", "13800000003"]])
    out = run("owners", second, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert len(out.problems) == 1 and "transfer" in out.problems[0].message
    assert (out.problems[0].row, out.problems[0].column) == (2, "业主")


@pytest.mark.django_db
def test_people_match_on_id_number_then_name_and_phone(cast, run):
    sheet = [
        ["楼栋", "房号", "面积", "业主", "手机", "身份证"],
        [1, 101, 90, "张三", "13800000001", resident_id(7)],
        [1, 102, 90, "张三", "13800000001", resident_id(7)],  # one person, two units
        [1, 103, 90, "李四", "13800000002", None],
    ]
    run("owners", workbook_bytes(sheet), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert Person.objects.filter(name="张三").count() == 1
    # the same ID under another name is a mistake, not a new person
    sheet2 = [
        ["楼栋", "房号", "面积", "业主", "手机", "身份证"],
        [1, 104, 90, "张叁", "13800000001", resident_id(7)],
    ]
    out = run("owners", workbook_bytes(sheet2), project=cast.project_a, actor=cast.manager_a)
    assert out.problems and out.problems[0].column == "身份证" and "张三" in out.problems[0].message
    # 李四 found by name and phone, and completed with the ID number the new sheet has
    sheet3 = [
        ["楼栋", "房号", "面积", "业主", "手机", "身份证"],
        [1, 103, 90, "李四", "138 0000 0002", resident_id(8)],
    ]
    out = run("owners", workbook_bytes(sheet3), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == [] and out.counts["people_updated"] == 1 and out.counts["people_created"] == 0
    assert Person.find_by_id_number(Person.objects.all(), resident_id(8)).get().name == "李四"


@pytest.mark.django_db
def test_tenants_and_household_members(cast, run):
    run("owners", owners_workbook(), project=cast.project_a, actor=cast.manager_a, commit=True)
    sheet = workbook_bytes(
        [
            ["楼栋", "单元", "房号", "姓名", "联系电话", "与业主关系", "住户类型", "入住日期", "是否缴费人"],
            [1, 1, 102, "周八", 13900001111, None, "租户", 45292, "是"],
            [1, 1, 101, "张小三", None, "子女", None, None, None],
            [9, 9, 909, "无名", None, None, None, None, None],
        ]
    )
    out = run("tenants", sheet, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert [(p.row, p.column) for p in out.problems] == [(4, "房号")]
    assert not Occupancy.objects.exists()
    fixed = workbook_bytes(
        [
            ["楼栋", "单元", "房号", "姓名", "联系电话", "与业主关系", "住户类型", "入住日期", "是否缴费人"],
            [1, 1, 102, "周八", 13900001111, None, "租户", 45292, "是"],
            [1, 1, 101, "张小三", None, "子女", None, None, None],
        ]
    )
    out = run("tenants", fixed, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == [] and out.counts["occupancies_created"] == 2
    zhou = Occupancy.objects.get(person__name="周八")
    assert (zhou.kind, zhou.is_payer, str(zhou.start_date)) == ("tenant", True, "2024-01-01")
    child = Occupancy.objects.get(person__name="张小三")
    assert (child.kind, child.relationship) == ("household", "child")
    again = run("tenants", fixed, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert again.counts["occupancies_unchanged"] == 2 and Occupancy.objects.count() == 2


@pytest.mark.django_db
def test_parking_spaces_and_vehicles(cast, run):
    run("owners", owners_workbook(), project=cast.project_a, actor=cast.manager_a, commit=True)
    spaces = workbook_bytes(
        [
            ["停车场", "车位编号", "车位性质", "车位面积", "状态", "楼栋", "单元", "房号"],
            ["地下车库", "B-001", "产权", "12.5㎡", "已售", 1, 1, 101],
            [None, "B-002", "临停", None, "空闲", None, None, None],
            ["地面车场", "G-001", "租赁", None, "已租", None, None, None],
        ]
    )
    out = run("parking", spaces, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == [] and out.counts == {**out.counts, "lots_created": 2, "spaces_created": 3}
    b1 = ParkingSpace.objects.get(code="B-001")
    assert (b1.lot.name, b1.kind, str(b1.area), b1.status, b1.unit.code) == (
        "地下车库",
        "owned",
        "12.50",
        "sold",
        "1-1-101",
    )
    assert ParkingSpace.objects.get(code="B-002").lot.name == "地下车库"  # carried down
    again = run("parking", spaces, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert again.counts["spaces_unchanged"] == 3 and ParkingLot.objects.count() == 2

    vehicles = workbook_bytes(
        [
            ["车牌号码", "车主姓名", "手机", "车位号", "车型", "楼栋", "单元", "房号"],
            ["沪a·12345", "张三", None, "B-001", "轿车", 1, 1, 101],
            ["粤BD12345", "钱十", "13900009999", None, "SUV", None, None, None],
            ["XX123", "某某", None, "B-999", None, None, None, None],
        ]
    )
    out = run("vehicles", vehicles, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert [(p.row, p.column) for p in out.problems] == [(4, "车位号"), (4, "车牌号码")]
    assert not Vehicle.objects.exists()
    fixed = workbook_bytes(
        [
            ["车牌号码", "车主姓名", "手机", "车位号", "车型", "楼栋", "单元", "房号"],
            ["沪a·12345", "张三", None, "B-001", "轿车", 1, 1, 101],
            ["粤BD12345", "钱十", "13900009999", None, "SUV", None, None, None],
        ]
    )
    out = run("vehicles", fixed, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == [] and out.counts["vehicles_created"] == 2 and out.counts["people_created"] == 1
    car = Vehicle.objects.get(plate="沪A12345")
    assert car.person.name == "张三" and car.parking_space.code == "B-001" and not car.is_new_energy
    assert Vehicle.objects.get(plate="粤BD12345").is_new_energy
    again = run("vehicles", fixed, project=cast.project_a, actor=cast.manager_a, commit=True)
    assert again.counts["vehicles_unchanged"] == 2 and Vehicle.objects.count() == 2


@pytest.mark.django_db
def test_missing_permissions_for_what_the_file_needs(cast, run):
    from django.contrib.auth.models import Permission

    from wuye.accounts.models import Membership, Role
    from wuye.core.testing.factories import make_user

    role = Role.objects.create(name="只录房屋", slug="units-only")
    role.permissions.add(
        *Permission.objects.filter(content_type__app_label="estate", codename__in=["add_unit", "view_unit"])
    )
    clerk = make_user("clerk")
    Membership.objects.create(user=clerk, role=role, project=cast.project_a)
    sheet = workbook_bytes([["楼栋", "房号", "面积", "状态"], [1, 101, 90, "自住"]])
    out = run("units", sheet, project=cast.project_a, actor=clerk, commit=True)
    assert not out.committed and any("building" in p.message.lower() for p in out.problems)
    out = run("units", sheet, project=cast.project_b, actor=clerk)
    assert out.problems and "permission" in out.problems[0].message


@pytest.mark.django_db
def test_a_person_named_twice_in_one_sheet_is_one_person(cast, run):
    sheet = [
        ["楼栋", "房号", "面积", "业主", "手机", "身份证"],
        [1, 101, 90, "张三", "13800000001", None],
        [1, 102, 90, "张三", "13800000001", resident_id(9)],
    ]
    out = run("owners", workbook_bytes(sheet), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == [] and out.counts["people_created"] == 1
    person = Person.objects.get(name="张三")
    assert person.id_number == resident_id(9) and person.ownerships.count() == 2


@pytest.mark.django_db
def test_id_numbers_are_masked_in_problems(cast, run):
    sheet = [["楼栋", "房号", "面积", "业主", "身份证"], [1, 101, 90, "张三", "110101199003071230"]]
    out = run("owners", workbook_bytes(sheet), project=cast.project_a, actor=cast.manager_a)
    assert out.problems[0].column == "身份证" and "check digit" in out.problems[0].message
    assert out.problems[0].value == "1****************0"
