import factory
from factory.django import DjangoModelFactory

from wuye.core.testing.factories import register
from wuye.estate.models import Project


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"F{n:04d}")
    name = factory.Sequence(lambda n: f"工厂项目{n}")
    city = "上海"
    managed_area = "100000.00"


@register(Project)
def project_in(project=None, **kwargs):
    """The 'object of project X' for Project is X itself."""
    return project if project is not None else ProjectFactory(**kwargs)
