"""Test factories for billing cashier models (imported by factories.py)."""
