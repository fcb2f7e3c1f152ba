"""Shared fixtures. Tests never touch the user's database or cache folders."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_database(tmp_path, monkeypatch):
    """Each test gets its own SQLite file unless it asks for PostgreSQL explicitly."""
    monkeypatch.setenv("MOBILITY_DATABASE_URL", f"sqlite:///{tmp_path / 'mobility.db'}")
