import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wuye.core.models import Job, TransitionEvent
from wuye.core.states import StateMachine, Transition, history

# The state machine works on any model with a status field; Job's statuses make a small example.
machine = StateMachine(
    "status",
    [
        Transition("start", source=["pending"], target="running", label="开始"),
        Transition(
            "finish", source="running", target="succeeded", permission="core.change_job", label="完成"
        ),
        Transition(
            "fail",
            source=["pending", "running"],
            target="failed",
            label="失败",
            condition=lambda job: "需要原因" if not job.error else None,
        ),
    ],
)


@pytest.mark.django_db
def test_transitions_follow_the_declared_graph_and_are_recorded(cast):
    job = Job.objects.create(kind="t", name="状态机", project=cast.project_a)
    machine.apply(job, "start", actor=cast.manager_a, note="go")
    assert Job.objects.get(pk=job.pk).status == "running"
    with pytest.raises(ValidationError):
        machine.apply(job, "start", actor=cast.manager_a)
    events = list(history(job))
    assert [(e.source, e.destination, e.transition) for e in events] == [("pending", "running", "start")]
    assert (
        events[0].actor == cast.manager_a and events[0].project == cast.project_a and events[0].note == "go"
    )


@pytest.mark.django_db
def test_transition_permission_is_checked_in_the_objects_project(cast):
    job = Job.objects.create(kind="t", name="权限", project=cast.project_a, status="running")
    with pytest.raises(PermissionDenied):
        machine.apply(job, "finish", actor=cast.staff_b)  # holds core.change_job? only in project B
    assert Job.objects.get(pk=job.pk).status == "running"
    assert not TransitionEvent.objects.exists()
    machine.apply(job, "finish", actor=cast.ops_admin)
    assert Job.objects.get(pk=job.pk).status == "succeeded"


@pytest.mark.django_db
def test_condition_refuses_with_message_and_allowed_lists_options(cast):
    job = Job.objects.create(kind="t", name="条件", project=cast.project_a)
    with pytest.raises(ValidationError) as exc:
        machine.apply(job, "fail", actor=cast.ops_admin)
    assert "需要原因" in str(exc.value)
    assert [t.name for t in machine.allowed(job, cast.ops_admin)] == ["start"]
