from django.utils.translation import gettext_lazy as _

from wuye.core.search import SearchProvider
from wuye.estate.models import Project

providers = [SearchProvider(Project, label=_("Projects"), fields=("name", "code", "address"), order=10)]
