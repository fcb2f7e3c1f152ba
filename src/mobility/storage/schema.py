"""The database schema (SQLAlchemy Core tables).

The four import kinds (``apprentices``, ``companies``, ``placements``,
``partnerships``) get tables generated from their :mod:`mobility.io.specs`, so a
column added to the import format is a column in the database too. The rest are the
product's own records:

========================  ==============================================================
``shortlist``             an apprentice-placement pair an adviser works on, with its
                          status and a ``version`` for optimistic concurrency
``match_runs``            one recommendation or allocation run: method, settings, when
``match_rows``            the pairs a run produced, with score and rank
``working_plans``         the run each sending organisation adopted as its working plan
``shortlist_events``      append-only history of a shortlist entry: notes, interest,
                          manual overrides with their reason and broken rules
``programmes``            funding programmes as JSON payloads (the funding module)
``erasmus_rate_tables``   versioned Erasmus+ rate tables (key, year, JSON payload)
``cities``                optional cache of resolved cities
``geocode_cache``         answers of the online geocoder (see :class:`GeocodeCache`)
``audit_log``             who did what, when, to which record
``sending_organisations`` OID and Erasmus accreditation of each sending organisation
``generated_documents``   Learning Agreements / Europass drafts made per shortlist pair:
                          version, who, when, content hash and fields
========================  ==============================================================

Accounts live in the ``users`` table that :mod:`mobility.auth.users` defines.
"""

from __future__ import annotations

import sqlalchemy as sa

from mobility.io.specs import SPECS, ColumnSpec, TableSpec

metadata = sa.MetaData()

#: Statuses a shortlist entry goes through, in their usual order.
SHORTLIST_STATUSES: tuple[str, ...] = ("suggested", "contacted", "confirmed", "completed",
                                       "declined")


def _column_type(col: ColumnSpec) -> sa.types.TypeEngine:
    return {
        "string": sa.String(),
        "float64": sa.Float(53),  # double precision: coordinates survive a round trip
        "int64": sa.Integer(),
        "Int64": sa.Integer(),
        "datetime64[ns]": sa.Date(),
        "bool": sa.Boolean(),
    }[col.dtype]


def _kind_table(spec: TableSpec, *extra: sa.SchemaItem) -> sa.Table:
    columns = []
    for col in spec.columns:
        is_key = col.name in spec.key
        nullable = col.dtype in ("float64", "Int64", "datetime64[ns]") and not col.required
        columns.append(sa.Column(col.name, _column_type(col), primary_key=is_key,
                                 nullable=nullable or False, comment=col.meaning))
    return sa.Table(spec.kind, metadata, *columns, *extra)


def _pair_record_columns() -> list[sa.Column]:
    """Fresh ``id``, ``apprentice_id`` and ``placement_id`` columns for a table of records
    about one shortlist pair (a column belongs to one table, so each table gets new ones);
    the records go with the apprentice or the placement they name."""
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("apprentice_id", sa.String, sa.ForeignKey("apprentices.apprentice_id",
                                                            ondelete="CASCADE"), nullable=False),
        sa.Column("placement_id", sa.String, sa.ForeignKey("placements.placement_id",
                                                           ondelete="CASCADE"), nullable=False),
    ]


def _stamp_columns(who: str, when: str) -> list[sa.Column]:
    """Fresh columns for who wrote a row (an account name) and when (with time zone)."""
    return [sa.Column(who, sa.String(64), nullable=False),
            sa.Column(when, sa.DateTime(timezone=True), nullable=False)]


partnerships = _kind_table(SPECS["partnerships"])
companies = _kind_table(SPECS["companies"])
placements = _kind_table(
    SPECS["placements"],
    sa.ForeignKeyConstraint(["company_id"], ["companies.company_id"], name="fk_placement_company"),
    sa.Index("ix_placements_company", "company_id"),
)
apprentices = _kind_table(SPECS["apprentices"])

KIND_TABLES: dict[str, sa.Table] = {
    "partnerships": partnerships,
    "companies": companies,
    "placements": placements,
    "apprentices": apprentices,
}

shortlist = sa.Table(
    "shortlist",
    metadata,
    sa.Column("apprentice_id", sa.String, sa.ForeignKey("apprentices.apprentice_id",
                                                        ondelete="CASCADE"), primary_key=True),
    sa.Column("placement_id", sa.String, sa.ForeignKey("placements.placement_id",
                                                       ondelete="CASCADE"), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("score", sa.Float(53)),
    *_stamp_columns("updated_by", "updated_at"),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint("status IN ('" + "','".join(SHORTLIST_STATUSES) + "')",
                       name="ck_shortlist_status"),
    sa.Index("ix_shortlist_placement", "placement_id"),
)

match_runs = sa.Table(
    "match_runs",
    metadata,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("method", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    # Added for runs as records (issue 11): whose caseload, the engine's summary, and
    # whether the result is exact (False only with the approximate opt-in; NULL: unknown).
    sa.Column("organisation", sa.String),
    sa.Column("summary", sa.JSON),
    sa.Column("exact", sa.Boolean),
)

match_rows = sa.Table(
    "match_rows",
    metadata,
    sa.Column("run_id", sa.String(36), sa.ForeignKey("match_runs.run_id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("row", sa.Integer, primary_key=True),
    sa.Column("apprentice_id", sa.String, nullable=False),
    sa.Column("placement_id", sa.String),
    sa.Column("score", sa.Float(53)),
    sa.Column("rank", sa.Integer),
    sa.Column("detail", sa.JSON),
)

#: The allocation run a sending organisation works from (its "working plan"); adopting
#: another run replaces the row, the audit trail keeps the history.
working_plans = sa.Table(
    "working_plans",
    metadata,
    sa.Column("organisation", sa.String, primary_key=True),
    sa.Column("run_id", sa.String(36), sa.ForeignKey("match_runs.run_id", ondelete="CASCADE"),
              nullable=False),
    *_stamp_columns("adopted_by", "adopted_at"),
)

#: What happened to a shortlist entry, append-only: adviser notes, an apprentice's
#: interest, manual overrides (with the reason and the hard rules the pair breaks).
shortlist_events = sa.Table(
    "shortlist_events",
    metadata,
    *_pair_record_columns(),
    sa.Column("kind", sa.String(16), nullable=False),
    *_stamp_columns("author", "at"),
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.Column("detail", sa.JSON),
    sa.CheckConstraint("kind IN ('note','interest','override')", name="ck_shortlist_event_kind"),
    sa.Index("ix_shortlist_events_pair", "apprentice_id", "placement_id"),
)

programmes = sa.Table(
    "programmes",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)

erasmus_rate_tables = sa.Table(
    "erasmus_rate_tables",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("source", sa.String),
)

cities = sa.Table(
    "cities",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("country", sa.String(2), primary_key=True),
    sa.Column("lat", sa.Float(53), nullable=False),
    sa.Column("lon", sa.Float(53), nullable=False),
    sa.Column("source", sa.String(32), nullable=False, default="gazetteer"),
)

geocode_cache = sa.Table(
    "geocode_cache",
    metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("name", sa.String),
    sa.Column("country", sa.String(2)),
    sa.Column("lat", sa.Float(53)),
    sa.Column("lon", sa.Float(53)),
    sa.Column("found", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: Sending organisations (chambers, schools, companies) as apprentices name them in
#: ``apprentices.sending_organisation``: their Erasmus+ organisation ID (OID, "E" + 8
#: digits, unknown until someone enters it) and whether they hold an Erasmus accreditation
#: in VET (which allows stays in non-associated third countries within 20% of the grant).
sending_organisations = sa.Table(
    "sending_organisations",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("oid", sa.String(9)),
    sa.Column("erasmus_accredited", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("accreditation_id", sa.String(64)),
    *_stamp_columns("updated_by", "updated_at"),
)

#: Documents generated for a shortlist entry (Learning Agreement, Europass Mobility):
#: who, when, which version, a hash of the content and the fields themselves, so that
#: regenerating can say what changed (:mod:`mobility.documents.tracking`). Personal data:
#: erased with the apprentice.
generated_documents = sa.Table(
    "generated_documents",
    metadata,
    *_pair_record_columns(),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("lang", sa.String(8), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("file_name", sa.String),
    *_stamp_columns("created_by", "created_at"),
    sa.UniqueConstraint("apprentice_id", "placement_id", "kind", "version",
                        name="uq_generated_document_version"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *_stamp_columns("who", "at"),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("entity_id", sa.String),
    sa.Column("detail", sa.JSON),
    sa.Index("ix_audit_entity", "entity", "entity_id"),
)


def create_schema(engine: sa.Engine) -> None:
    """Create every table that does not exist yet and add missing columns (idempotent).

    A database built by an older version keeps its rows: a column the schema gained since
    is added with ``ALTER TABLE ... ADD COLUMN`` (without its NOT NULL constraint when the
    table already holds rows and the column has no default, so old rows stay valid).
    Columns are never dropped or retyped here.
    """
    metadata.create_all(engine, checkfirst=True)
    add_missing_columns(engine)


def add_missing_columns(engine: sa.Engine) -> list[str]:
    """Add the columns of :data:`metadata` that existing tables lack; return ``table.column``s.

    Examples
    --------
    >>> engine = sa.create_engine("sqlite://")
    >>> with engine.begin() as conn:
    ...     _ = conn.exec_driver_sql("CREATE TABLE audit_log (id INTEGER PRIMARY KEY)")
    >>> "audit_log.who" in add_missing_columns(engine)
    True
    >>> add_missing_columns(engine)
    []
    """
    # Look first on a plain connection: a write transaction (BEGIN IMMEDIATE on SQLite)
    # is taken only when something is missing, so that every start-up of an up-to-date
    # database does not queue behind, or block, the writers of other processes.
    missing: list[tuple[sa.Table, sa.Column]] = []
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        existing_tables = set(inspector.get_table_names())
        for table in metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            have = {c["name"] for c in inspector.get_columns(table.name)}
            missing += [(table, column) for column in table.columns if column.name not in have]
    if not missing:
        return []
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as conn:
        for table, column in missing:
            conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} "
                                 f"ADD COLUMN {_column_ddl(column, engine)}")
    return [f"{table.name}.{column.name}" for table, column in missing]


def _column_ddl(column: sa.Column, engine: sa.Engine) -> str:
    quote = engine.dialect.identifier_preparer.quote
    text = f"{quote(column.name)} {column.type.compile(dialect=engine.dialect)}"
    default = column.server_default
    if default is not None and hasattr(default, "arg"):
        arg = default.arg
        literal = "'" + arg.replace("'", "''") + "'" if isinstance(arg, str) else arg.text
        text += f" DEFAULT {literal}"
    return text
