"""Billing API: cashier."""

routes: list = []
