"""HTMX request handling decided in one place; apps write no HTMX plumbing."""


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def htmx_target(request) -> str:
    return request.headers.get("HX-Target", "") if is_htmx(request) else ""
