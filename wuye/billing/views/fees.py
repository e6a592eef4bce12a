"""Billing screens: fees (see docs/development)."""

urlpatterns: list = []
