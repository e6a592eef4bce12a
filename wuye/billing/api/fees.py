"""Billing API: fees."""

routes: list = []
