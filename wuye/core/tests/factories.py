import itertools

from wuye.core import approvals
from wuye.core.models import ApprovalRequest, AuditEvent, Job
from wuye.core.testing.factories import register

_n = itertools.count(1)

approvals.register("test.approval", label="Test approval")


@register(Job)
def job_in(project=None, **kwargs):
    n = next(_n)
    kwargs.setdefault("kind", "test")
    kwargs.setdefault("name", f"测试任务{n}")
    return Job.objects.create(project=project, **kwargs)


@register(ApprovalRequest)
def approval_in(project=None, **kwargs):
    n = next(_n)
    kwargs.setdefault("kind", "test.approval")
    kwargs.setdefault("title", f"测试审批{n}")
    kwargs.setdefault("steps", [{"permission": "core.decide_approvalrequest", "label": "经理"}])
    return ApprovalRequest.objects.create(project=project, **kwargs)


@register(AuditEvent)
def audit_event_in(project=None, **kwargs):
    n = next(_n)
    kwargs.setdefault("action", "test.event")
    kwargs.setdefault("object_repr", f"测试审计{n}")
    return AuditEvent.objects.create(project=project, **kwargs)
