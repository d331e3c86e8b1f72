"""Fixtures for the roster tests."""
from __future__ import annotations
