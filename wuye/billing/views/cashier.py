"""Billing screens: cashier (see docs/development)."""

urlpatterns: list = []
