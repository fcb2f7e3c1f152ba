"""Where the package finds its shipped data and keeps its caches.

``data/`` is found next to the repository checkout (editable install) or through
``MOBILITY_DATA_DIR``; caches go to ``MOBILITY_CACHE_DIR``, else ``$XDG_CACHE_HOME/mobility``,
else ``~/.cache/mobility``.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The folder holding the shipped reference data (``trades.csv``, ``twinnings.csv``...)."""
    override = os.environ.get("MOBILITY_DATA_DIR")
    return Path(override) if override else REPO_ROOT / "data"


def cache_dir() -> Path:
    """A writable folder for derived caches (the gazetteer index); created on demand."""
    override = os.environ.get("MOBILITY_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME")
    xdg = xdg if xdg and os.path.isabs(xdg) else None  # the spec ignores relative ones
    path = (Path(override) if override else Path(xdg) / "mobility" if xdg
            else Path.home() / ".cache" / "mobility")
    path.mkdir(parents=True, exist_ok=True)
    return path
