"""Test factories for billing reports models (imported by factories.py)."""
