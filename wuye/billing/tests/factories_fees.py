"""Test factories for billing fees models (imported by factories.py)."""
