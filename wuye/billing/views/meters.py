"""Billing screens: meters (see docs/development)."""

urlpatterns: list = []
