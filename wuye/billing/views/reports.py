"""Billing screens: reports (see docs/development)."""

urlpatterns: list = []
