"""Building the database: schema, shipped twinnings and, for the demo, synthetic data.

``make run`` calls ``mobility init-db --if-missing``, which ends at once when the
database already holds its tables (so a restart costs nothing), and otherwise creates
the schema, loads the town twinnings shipped in ``data/twinnings.csv`` and, when the
demo generator (:mod:`mobility.demo`) is installed, a modest synthetic caseload.

Examples
--------
>>> from mobility.storage import new_engine
>>> from mobility.storage.setup import init_database, is_initialised
>>> engine = new_engine()
>>> is_initialised(engine)
False
>>> report = init_database(engine, with_demo=False)
>>> report["partnerships"] >= 124, is_initialised(engine)
(True, True)
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

import sqlalchemy as sa

from mobility.errors import ConfigurationError
from mobility.progress import ProgressCallback, Stages
from mobility.storage.schema import KIND_TABLES, create_schema, metadata

#: Size of the demo caseload ``init-db`` loads: enough to fill the dashboard's maps
#: and tables, small enough to build in a few seconds on a laptop.
DEMO_APPRENTICES = 2_000
DEMO_PLACEMENTS = 1_000
DEMO_SEED = 2026


def is_initialised(engine: sa.Engine) -> bool:
    """True when every table of the schema exists (the database was built before)."""
    try:
        names = set(sa.inspect(engine).get_table_names())
    except sa.exc.OperationalError as exc:
        raise ConfigurationError(f"cannot open the database: {exc.orig}") from None
    return set(metadata.tables) <= names


def load_shipped_partnerships(engine: sa.Engine, *, user: str = "system") -> int:
    """Load ``data/twinnings.csv`` (validated like any import); returns rows stored."""
    from mobility.io import raise_for_problems, read_table
    from mobility.paths import data_dir
    from mobility.storage.tables import upsert_table

    path = data_dir() / "twinnings.csv"
    # The shipped file documents each twinning further (status_detail, note, alt_names):
    # the table keeps the import format's columns.
    frame = raise_for_problems(read_table(path, "partnerships", unknown_columns="drop"))
    upsert_table(engine, "partnerships", frame, user=user, source=path.name)
    return len(frame)


def _demo_module():
    try:
        return importlib.import_module("mobility.demo")
    except ModuleNotFoundError as exc:
        if exc.name in ("mobility.demo",):
            return None
        raise


def load_demo_data(engine: sa.Engine, *, apprentices: int = DEMO_APPRENTICES,
                   placements: int = DEMO_PLACEMENTS, seed: int = DEMO_SEED,
                   user: str = "system") -> dict[str, int]:
    """Generate a synthetic caseload with :mod:`mobility.demo` and import it through the
    same reader and validator as any user's files. Returns rows stored per kind, or an
    empty dict when the demo generator is not installed."""
    demo = _demo_module()
    if demo is None:
        return {}
    from mobility.io import raise_for_problems, read_table
    from mobility.storage.tables import upsert_table

    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="mobility-demo-") as folder:
        demo.write_demo(Path(folder), n_apprentices=apprentices, n_placements=placements,
                        seed=seed)
        for kind in ("companies", "placements", "apprentices"):
            path = Path(folder) / f"{kind}.csv"
            if not path.exists():
                continue
            frame = raise_for_problems(read_table(path, kind))
            upsert_table(engine, kind, frame, user=user, source=f"demo {path.name}")
            counts[kind] = len(frame)
    from mobility.auth.users import create_demo_accounts

    create_demo_accounts(engine)  # one marked demo login per role (README, "Security")
    return counts


def init_database(engine: sa.Engine | None = None, *, with_demo: bool = True,
                  demo_apprentices: int = DEMO_APPRENTICES,
                  demo_placements: int = DEMO_PLACEMENTS, seed: int = DEMO_SEED,
                  progress: ProgressCallback | None = None) -> dict[str, int]:
    """Create the schema and fill what is empty: twinnings, then (optionally) demo data.

    Safe to run again: tables that exist are kept, tables that hold rows are not
    filled again.

    Parameters
    ----------
    engine : sqlalchemy.Engine, optional
        Default: :func:`mobility.storage.get_engine`.
    with_demo : bool
        Load a synthetic caseload when the apprentices table is empty and
        :mod:`mobility.demo` is available.
    demo_apprentices, demo_placements, seed : int
        Size and seed of that caseload.
    progress : callable, optional
        ``(fraction, message)``.

    Returns
    -------
    dict
        Rows now stored per import kind.
    """
    from mobility.storage.engine import get_engine
    from mobility.storage.tables import count_rows

    engine = engine or get_engine()
    with Stages(progress, ["create tables", "twinnings", "demo data"]) as stages:
        stages.next("create tables")
        create_schema(engine)
        _create_other_modules_tables(engine)
        stages.next("twinnings")
        if count_rows(engine, "partnerships") == 0:
            load_shipped_partnerships(engine)
        stages.next("demo data")
        if with_demo and count_rows(engine, "apprentices") == 0:
            load_demo_data(engine, apprentices=demo_apprentices, placements=demo_placements,
                           seed=seed)
    return {kind: count_rows(engine, kind) for kind in KIND_TABLES}


def _create_other_modules_tables(engine: sa.Engine) -> None:
    """Tables that other parts of the product define themselves (accounts)."""
    try:
        from mobility.auth.users import ensure_users_table
    except ImportError:
        return
    ensure_users_table(engine)
