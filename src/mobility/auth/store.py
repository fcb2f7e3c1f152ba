"""Where the trust layer finds the database.

The storage package owns engine creation (SQLite by default, PostgreSQL by URL); this
module only asks it, so accounts, audit entries and erasure use the very same
connection settings as everything else.
"""

from __future__ import annotations

import sqlalchemy as sa


def database_engine() -> sa.Engine:
    """The product's database engine (``MOBILITY_DATABASE_URL``), from storage."""
    from mobility.storage.engine import get_engine  # storage owns URLs, pragmas, pooling

    return get_engine()
