"""Wuye (物业): a smart property-operations platform."""

__version__ = "0.1.0"
