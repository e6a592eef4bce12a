from django.utils.translation import gettext_lazy as _

from wuye.accounts.models import User
from wuye.core.search import SearchProvider

providers = [SearchProvider(User, label=_("Users"), fields=("username", "display_name", "phone"), order=900)]
