"""Excel imports of the billing app (discovered by ``wuye.core.importing``); each slice has its module."""

from wuye.billing import imports_meters  # noqa: F401
