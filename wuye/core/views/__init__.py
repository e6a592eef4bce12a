from wuye.core.views.generic import (
    ObjectChangeLogView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectViews,
)

__all__ = [
    "ObjectChangeLogView",
    "ObjectDeleteView",
    "ObjectDetailView",
    "ObjectEditView",
    "ObjectListView",
    "ObjectViews",
]
