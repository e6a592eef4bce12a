import factory
from factory.django import DjangoModelFactory

from wuye.accounts.models import Membership, Role, User
from wuye.core.testing.factories import password_hash, register


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"fuser{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.LazyFunction(password_hash)


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    name = factory.Sequence(lambda n: f"测试角色{n}")
    slug = factory.Sequence(lambda n: f"test-role-{n}")


@register(User)
def user_in(project=None, **kwargs):
    """A user who works only in ``project`` (a customer-service membership there)."""
    user = UserFactory(**kwargs)
    if project is not None:
        Membership.objects.create(user=user, role=Role.objects.get(slug="customer-service"), project=project)
    return user


@register(Role)
def role_in(project=None, **kwargs):
    return RoleFactory(**kwargs)


@register(Membership)
def membership_in(project=None, **kwargs):
    return Membership.objects.create(
        user=kwargs.pop("user", None) or UserFactory(),
        role=kwargs.pop("role", None) or Role.objects.get(slug="engineer"),
        project=project,
        **kwargs,
    )
