from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from wuye.core.pagination import BoundedCountPaginator


class Pagination(PageNumberPagination):
    """Page-number pagination with a bounded count (see ``wuye.core.pagination``).

    ``count`` is exact up to ``WUYE_LIST_COUNT_LIMIT`` (10,000) rows from the requested page on;
    beyond that ``count_capped`` is true and ``count`` is a lower bound. Follow ``next`` to walk on:
    every page can be reached."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = BoundedCountPaginator

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_capped": paginator.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        properties = schema["properties"]
        properties["count"]["description"] = (
            "Matching rows, counted up to a limit (10,000 by default): when count_capped is true "
            "there are more than this many."
        )
        properties = {
            "count": properties["count"],
            "count_capped": {
                "type": "boolean",
                "example": False,
                "description": "True when the count stopped at the limit; follow next to page on.",
            },
            **{k: v for k, v in properties.items() if k != "count"},
        }
        schema["properties"] = properties
        schema["required"] = [*schema.get("required", ["count", "results"]), "count_capped"]
        return schema
