"""Billing API: meters."""

routes: list = []
