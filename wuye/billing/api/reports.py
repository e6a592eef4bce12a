"""Billing API: reports."""

routes: list = []
