"""Test factories for billing meters models (imported by factories.py)."""
