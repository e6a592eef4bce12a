from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wuye.core import approvals
from wuye.core.models import ApprovalStatus, AuditEvent, Job

applied = []


def _apply(request, actor):
    applied.append((request.pk, actor.username))


approvals.register("test.two_steps", label="两级审批", on_approved=_apply)
STEPS = [
    {"permission": "core.decide_approvalrequest", "label": "项目经理"},
    {"permission": "accounts.change_role", "label": "运营中心"},
]


@pytest.fixture
def request_a(cast):
    applied.clear()
    job = Job.objects.create(kind="x", name="被审批对象", project=cast.project_a)
    return approvals.do_request_approval(
        actor=cast.cashier_a,
        kind="test.two_steps",
        project=cast.project_a,
        title="减免违约金 12.30",
        steps=STEPS,
        target=job,
        amount=Decimal("12.30"),
        reason="老人独居",
    )


@pytest.mark.django_db
def test_two_step_approval_runs_the_handler_once_at_the_end(cast, request_a):
    assert approvals.can_decide(request_a, cast.manager_a)
    assert not approvals.can_decide(request_a, cast.cashier_a)
    approvals.do_decide_approval(actor=cast.manager_a, request=request_a, approve=True, comment="同意")
    request_a.refresh_from_db()
    assert request_a.status == ApprovalStatus.PENDING and request_a.current_step == 1
    assert not applied
    assert not approvals.can_decide(request_a, cast.manager_a)  # second step needs the ops centre
    approvals.do_decide_approval(actor=cast.ops_admin, request=request_a, approve=True)
    request_a.refresh_from_db()
    assert request_a.status == ApprovalStatus.APPROVED
    assert applied == [(request_a.pk, cast.ops_admin.username)]
    assert [e.action for e in request_a.events.all()] == ["requested", "approved", "approved"]
    actions = list(AuditEvent.objects.filter(object_id=str(request_a.pk)).values_list("action", flat=True))
    assert actions.count("approval.approved") == 2 and "approval.requested" in actions


@pytest.mark.django_db
def test_other_project_manager_cannot_decide(cast, request_a):
    with pytest.raises(PermissionDenied):
        approvals.do_decide_approval(actor=cast.staff_b, request=request_a, approve=True)


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_ends_the_request(cast, request_a):
    with pytest.raises(ValidationError):
        approvals.do_decide_approval(actor=cast.manager_a, request=request_a, approve=False, comment=" ")
    approvals.do_decide_approval(actor=cast.manager_a, request=request_a, approve=False, comment="理由不足")
    request_a.refresh_from_db()
    assert request_a.status == ApprovalStatus.REJECTED
    with pytest.raises(ValidationError):
        approvals.do_decide_approval(actor=cast.ops_admin, request=request_a, approve=True)
    assert not applied


@pytest.mark.django_db
def test_requester_can_withdraw(cast, request_a):
    with pytest.raises(PermissionDenied):
        approvals.do_cancel_approval(actor=cast.manager_a, request=request_a)
    approvals.do_cancel_approval(actor=cast.cashier_a, request=request_a, comment="填错了")
    request_a.refresh_from_db()
    assert request_a.status == ApprovalStatus.CANCELLED


@pytest.mark.django_db
def test_approval_pages_and_api(cast, request_a, client_for, api_for):
    client = client_for(cast.manager_a)
    assert "减免违约金" in client.get("/approvals/").content.decode()
    page = client.get(f"/approvals/{request_a.pk}/").content.decode()
    assert 'value="approve"' in page
    client.post(f"/approvals/{request_a.pk}/", {"decision": "approve", "comment": "可以"})
    request_a.refresh_from_db()
    assert request_a.current_step == 1
    api = api_for(cast.ops_admin)
    data = api.get(f"/api/v1/approvals/{request_a.pk}/").json()
    assert data["can_decide"] is True and len(data["events"]) == 2
    response = api.post(f"/api/v1/approvals/{request_a.pk}/approve/", {"comment": "ok"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert api_for(cast.staff_b).get(f"/api/v1/approvals/{request_a.pk}/").status_code == 404
    assert client_for(cast.staff_b).get(f"/approvals/{request_a.pk}/").status_code == 404


@pytest.mark.django_db
def test_decide_via_api_without_the_step_permission_is_403(cast, request_a, api_for):
    response = api_for(cast.auditor).post(f"/api/v1/approvals/{request_a.pk}/approve/", {}, format="json")
    assert response.status_code == 403
