"""All of the dashboard's caching, in one place, and its one door to the package.

Two kinds of cache, as Streamlit intends them:

* ``st.cache_resource`` for shared objects that are expensive to build and safe to
  share between sessions: the database engine, the gazetteer, fitted matchers.
* ``st.cache_data`` for data, keyed by content: the stored tables are keyed by a
  *fingerprint* of the database (row counts and the newest audit entry), so an import
  or an edit in any session shows up everywhere at the next rerun, and nothing stale is
  served.

Writes (imports, shortlist changes, edits) go straight to :mod:`mobility.storage` and
then clear the data caches. Pages call only the functions here and the package's pure
functions; they never open connections or build matchers themselves.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from mobility.errors import ConfigurationError
from mobility.models import country_codes
from mobility.reference.trades import trade_catalog

KINDS = ("apprentices", "companies", "placements", "partnerships")


# ---------------------------------------------------------------------------
# Resources
# ---------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> sa.Engine:
    from mobility.storage import create_schema, get_engine

    engine = get_engine(url)
    create_schema(engine)  # idempotent: a fresh database is usable at once
    return engine


def engine() -> sa.Engine:
    """The database engine for ``MOBILITY_DATABASE_URL`` (one per URL and process)."""
    from mobility.storage import database_url

    return _engine_for(database_url())


@st.cache_resource(show_spinner=False)
def gazetteer():
    """The offline gazetteer (built or unpickled once per process)."""
    from mobility.geo import gazetteer as load

    return load()


def city_suggestions(prefix: str, country: str = "DE", limit: int = 5) -> list[str]:
    """German towns whose name starts like ``prefix`` (biggest first), for a "did you
    mean" under the home-city field."""
    if len(prefix.strip()) < 2:
        return []
    return [city.name for city in gazetteer().search(prefix, country, limit=limit)]


@st.cache_resource(show_spinner=False, max_entries=8)
def _fitted_matcher(content: tuple, settings: tuple[tuple[str, object], ...],
                    _fingerprint: tuple):
    from mobility.matching import Matcher

    data = tables(_fingerprint)
    return Matcher(**dict(settings)).fit(data["placements"], partnerships_for_matching(data))


@st.cache_data(show_spinner=False, max_entries=4)
def _matching_inputs_key(_fingerprint: tuple) -> tuple:
    """A hash of what a fit reads (placements and partnerships), for one fingerprint."""
    frames = tables(_fingerprint)
    return tuple(int(pd.util.hash_pandas_object(frame, index=False).sum())
                 for frame in (frames["placements"], partnerships_for_matching(frames)))


def matcher(settings: dict | None = None):
    """A :class:`mobility.matching.Matcher` fitted on the stored placements and
    partnerships, shared by every session until those or the settings change.

    Keyed by the content of the placements and partnerships, not by the database's
    fingerprint: a shortlist save, an audit entry or an apprentice import must not
    refit the matcher (that took seconds on each such change)."""
    current = fingerprint()
    return _fitted_matcher(_matching_inputs_key(current),
                           tuple(sorted((settings or {}).items())), current)


# ---------------------------------------------------------------------------
# Stored data, keyed by a fingerprint of the database
# ---------------------------------------------------------------------------


def fingerprint() -> tuple:
    """What changes whenever stored data changes: row counts per table and the id of
    the newest audit entry (every write through storage adds one)."""
    from mobility.storage import schema

    tabs = [*(schema.KIND_TABLES[k] for k in KINDS), schema.shortlist]
    with engine().connect() as conn:
        counts = tuple(conn.execute(sa.select(sa.func.count()).select_from(tb)).scalar_one()
                       for tb in tabs)
        # Exports are audited but change no data: they must not empty every cache (the
        # match board builds its export files on each run, which made every other page
        # recompute its tables, matcher key and comparisons).
        newest = conn.execute(sa.select(sa.func.max(schema.audit_log.c.id)).where(
            schema.audit_log.c.action != "export")).scalar_one()
        edited = conn.execute(sa.select(sa.func.max(schema.shortlist.c.updated_at))).scalar_one()
    return (str(engine().url), counts, newest, str(edited))


@st.cache_data(show_spinner=False, max_entries=4)
def tables(_fingerprint: tuple | None = None) -> dict[str, pd.DataFrame]:
    """The four stored tables in the import format (apprentices, companies, placements,
    partnerships). Pass :func:`fingerprint` (the default) so edits are seen."""
    from mobility.storage import read_table_from_db

    return {kind: read_table_from_db(engine(), kind) for kind in KINDS}


def data() -> dict[str, pd.DataFrame]:
    """The current stored tables (cached until the database changes)."""
    return tables(fingerprint())


def partnerships_for_matching(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The stored partnerships, or the shipped twinnings when none were imported."""
    from mobility.reference.twinnings import load_partnerships

    stored = frames["partnerships"]
    return stored if not stored.empty else load_partnerships()


def partnerships() -> pd.DataFrame:
    """The partnerships the product works with (stored, else shipped)."""
    return partnerships_for_matching(data())


def synthetic_row_count() -> int:
    """How many stored rows are marked synthetic (demo data)."""
    try:
        frames = data()
    except ConfigurationError:
        return 0
    return int(sum(int(frame["synthetic"].sum()) for frame in frames.values()
                   if "synthetic" in frame))


def partnerships_changed() -> None:
    """Forget cached tables and fitted matchers after a partnership was added or changed
    (:mod:`mobility.ui.partnership_editor`)."""
    clear_data()
    _fitted_matcher.clear()


def clear_data() -> None:
    """Forget cached data after a write (the fingerprint would catch it too; this
    frees memory at once)."""
    tables.clear()


# ---------------------------------------------------------------------------
# Reference data and widget options
# ---------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def trade_options() -> list[str]:
    """Every name a trade goes by (official, gender forms, synonyms, English), sorted:
    the searchable select box is the type-ahead."""
    return sorted({name for name, _trade in trade_catalog().aliases()}, key=str.casefold)


@st.cache_data(show_spinner=False)
def country_options(lang: str = "de") -> list[str]:
    """ISO country codes sorted by their name in ``lang`` (CLDR)."""
    from mobility.i18n import country_name

    return sorted(country_codes() - {"DE"}, key=lambda code: country_name(code, lang))


@st.cache_data(show_spinner=False)
def programme_rules_table() -> pd.DataFrame:
    from mobility.paths import data_dir
    from mobility.reference.programmes import read_programme_rules

    return read_programme_rules(data_dir() / "programme_rules.csv")


@st.cache_data(show_spinner=False)
def erasmus_rates_table() -> pd.DataFrame:
    from mobility.reference.erasmus import load_rates

    return load_rates()


def daily_rates():
    """The newest administrator-entered Erasmus+ daily rates, or None."""
    from mobility.funding.rates import default_rate_store

    return default_rate_store().load()


def save_daily_rates(table, *, entered_by: str = ""):
    from mobility.auth import Action, authorize
    from mobility.funding.rates import default_rate_store

    authorize(_principal(), Action.EDIT_REFERENCE_DATA)

    return default_rate_store().save(table, entered_by=entered_by)


# ---------------------------------------------------------------------------
# Apprentices
# ---------------------------------------------------------------------------


def _principal():
    """The signed-in principal (None before sign-in: every guarded call then refuses)."""
    from mobility.ui.common import current_principal

    return current_principal()


def apprentice_choices() -> dict[str, str]:
    """``{apprentice_id: "id · trade · home city"}`` for a picker (no names: the list
    may be shown on a shared screen), limited to the apprentices the signed-in user may
    see (none for a municipality)."""
    from mobility.auth import Action, allowed_actions

    principal = _principal()
    if principal is None or Action.VIEW_APPRENTICE not in allowed_actions(principal):
        return {}
    return _apprentice_choices(fingerprint(), principal)


@st.cache_data(show_spinner=False, max_entries=64)
def _apprentice_choices(_fingerprint: tuple, principal) -> dict[str, str]:
    # Keyed by the data and the principal: an adviser of another organisation never
    # gets this one's list. Built once per change (a whole caseload's labels took a
    # tenth of a second on every rerun of the apprentice page).
    from mobility.auth import visible_apprentices

    frame = visible_apprentices(principal, tables(_fingerprint)["apprentices"])
    labels = (frame["apprentice_id"].astype(str) + " · " + frame["trade"].astype(str)
              + " · " + frame["home_city"].astype(str))
    return dict(zip(frame["apprentice_id"].astype(str), labels, strict=True))


def apprentice_row(apprentice_id: str) -> pd.Series | None:
    from mobility.auth import Action, authorize

    frame = data()["apprentices"]
    hit = frame[frame["apprentice_id"] == apprentice_id]
    if hit.empty:
        return None
    authorize(_principal(), Action.VIEW_APPRENTICE, hit.iloc[0])
    return hit.iloc[0]


# ---------------------------------------------------------------------------
# Matching and funding
# ---------------------------------------------------------------------------


def recommend(profile: pd.DataFrame, k: int, settings: dict | None = None) -> pd.DataFrame:
    """The ``k`` best placements for a one-row apprentices frame, as cards
    (:func:`mobility.ui.views.placement_cards`) with the funding columns."""
    from mobility.ui.views import placement_cards

    frames = data()
    matches = matcher(settings).recommend(profile, k=k)
    home_city = str(profile.loc[0, "home_city"])
    twins = partners_for(home_city, lat=float(profile.loc[0, "home_lat"]),
                         lon=float(profile.loc[0, "home_lon"]))
    cards = placement_cards(matches, frames["placements"], frames["companies"],
                            home=(float(profile.loc[0, "home_lat"]),
                                  float(profile.loc[0, "home_lon"])),
                            twin_towns=twins)
    # One apprentice: only their home's partnerships can make a pair a twin-town stay,
    # so the estimate need not fold all of Germany's partnerships on every search.
    return funding_for(cards, profile, twin_towns=twins)


@st.cache_data(show_spinner=False, max_entries=256)
def _partners_for(_fingerprint: tuple, city: str, lat: float | None,
                  lon: float | None) -> pd.DataFrame:
    from mobility.reference.twinnings import partners_of

    return partners_of(city, partnerships_for_matching(tables(_fingerprint)), lat=lat, lon=lon)


def partners_for(city: str, *, lat: float | None = None, lon: float | None = None
                 ) -> pd.DataFrame:
    """:func:`mobility.reference.twinnings.partners_of` over the partnerships the
    product works with (``lat``/``lon`` tell apart towns of the same name), cached per
    town until the data change (it resolves and folds every partnership's home: about
    a second for all of Germany's)."""
    return _partners_for(fingerprint(), city, lat, lon)


def funding_for(matches: pd.DataFrame, apprentices: pd.DataFrame,
                lang: str | None = None, twin_towns: pd.DataFrame | None = None
                ) -> pd.DataFrame:
    """The placed rows of ``matches`` with eligible programmes and estimates from
    :func:`mobility.funding.estimate.estimate_for_matches` (``funding_estimate_eur``,
    ``funding_missing`` ...), plus ``programmes``: the eligible programmes' names.

    ``twin_towns``: the partnerships that can concern these apprentices (all stored
    ones when not given)."""
    from mobility.funding.estimate import estimate_for_matches
    from mobility.reference.programmes import programme_rules

    placed = matches[matches["placement_id"].notna()].reset_index(drop=True)
    apprentices = _with_stored_organisation(apprentices)
    out = estimate_for_matches(placed, apprentices, data()["placements"],
                               partnerships() if twin_towns is None else twin_towns,
                               organisations=organisations(), lang=lang or _language())
    names = {rule.key: rule.name for rule in programme_rules()}
    out["programmes"] = pd.array(
        [", ".join(names.get(k, k) for k in str(keys).split(";") if k)
         for keys in out["eligible_programmes"].fillna("")], dtype="string")
    return out


def organisations() -> pd.DataFrame:
    """The sending organisations' records (accreditation decides whether Erasmus+ can
    fund a non-associated third country)."""
    from mobility.storage.organisations import list_organisations

    return list_organisations(engine())


def _with_stored_organisation(apprentices: pd.DataFrame) -> pd.DataFrame:
    """A profile typed into the apprentice form names no sending organisation: take the
    stored apprentice's (same id), so that its Erasmus accreditation applies."""
    stored = data()["apprentices"]
    if "sending_organisation" not in stored or apprentices.empty:
        return apprentices
    known = dict(zip(stored["apprentice_id"].astype(str), stored["sending_organisation"],
                     strict=True))
    given = (apprentices["sending_organisation"] if "sending_organisation" in apprentices
             else pd.Series(pd.NA, index=apprentices.index, dtype="string"))
    filled = given.where(given.notna() & (given.astype("string") != ""),
                         apprentices["apprentice_id"].astype(str).map(known))
    return apprentices.assign(sending_organisation=filled.astype("string"))


def _language() -> str:
    from mobility.ui.common import current_language

    return current_language()
def company_profiles() -> pd.DataFrame:
    """Host companies by id: name, city, country, sector, contact e-mail, website."""
    columns = ["company_id", "name", "city", "country", "sector", "contact_email", "website"]
    frame = data()["companies"]
    return frame[[c for c in columns if c in frame]].set_index("company_id")


def allocate(method: str, settings: dict, apprentices: pd.DataFrame, progress=None):
    """Run :meth:`mobility.matching.matcher.Matcher.allocate` over ``apprentices``
    (not cached: an adviser runs it on purpose, with a progress bar)."""
    from mobility.auth import Action, authorize, visible_apprentices

    authorize(_principal(), Action.RUN_ALLOCATION)
    apprentices = visible_apprentices(_principal(), apprentices)
    return matcher(settings).allocate(apprentices, method=method, progress=progress)


# ---------------------------------------------------------------------------
# Shortlist
# ---------------------------------------------------------------------------


def shortlist(apprentice_id: str | None = None) -> pd.DataFrame:
    """Shortlist entries (of one apprentice) with the placement's city and trade."""
    from mobility.auth import Action, authorize, visible_matches
    from mobility.storage.shortlist import get_shortlist

    if apprentice_id is not None:
        row = data()["apprentices"]
        row = row[row["apprentice_id"] == apprentice_id]
        authorize(_principal(), Action.VIEW_MATCHES, row.iloc[0] if len(row) else
                  {"apprentice_id": apprentice_id})
    entries = get_shortlist(engine(), apprentice_id=apprentice_id)
    entries = visible_matches(_principal(), entries, data()["apprentices"])
    places = data()["placements"][["placement_id", "trade", "city", "country"]]
    return entries.merge(places, on="placement_id", how="left")


def set_status(apprentice_id: str, placement_id: str, status: str, *, note: str | None,
               user: str, expected_version: int | None, score: float | None = None):
    """Change a shortlist entry (optimistic concurrency: a stale ``expected_version``
    raises :class:`mobility.errors.ConflictError`)."""
    from mobility.auth.guarded import save_shortlist_entry

    # ``user`` is kept for the callers; the audit names the signed-in principal.
    entry = save_shortlist_entry(engine(), _principal(), apprentice_id, placement_id, status,
                                 note=note, expected_version=expected_version, score=score)
    clear_data()
    return entry


def save_placement(apprentice_id: str, placement_id: str, *, interest: bool, by: str):
    """An apprentice saves a placement (shortlist status ``suggested``) or marks interest
    (the note says so, so the adviser sees it)."""
    from mobility.auth.guarded import save_own_placement

    entry = save_own_placement(engine(), _principal(), apprentice_id, placement_id,
                               interest=interest)
    clear_data()
    return entry


# ---------------------------------------------------------------------------
# Imports and edits
# ---------------------------------------------------------------------------


def check_upload(upload, kind: str):
    """Read and validate an uploaded file; writes nothing (:func:`mobility.io.read_table`)."""
    from mobility.io import UPLOAD_MAX_BYTES, read_table
    from mobility.storage import stored_ids

    known = None
    if kind == "placements":
        known = stored_ids(engine(), "companies")
    result = read_table(upload, kind, name=getattr(upload, "name", None),
                        max_bytes=UPLOAD_MAX_BYTES, known_company_ids=known)
    from mobility.auth.guarded import screen_import

    # Rows the signed-in adviser may not store (another organisation's, or an id in use
    # elsewhere) are problems of the check step, shown before anything is written.
    return screen_import(engine(), _principal(), result)


def write_import(frame: pd.DataFrame, kind: str, *, user: str, source: str):
    """Store a validated frame in one transaction (all or nothing)."""
    from mobility.auth.guarded import import_table

    # Advisers import their own organisation's apprentices; reference data is admin-only.
    counts = import_table(engine(), _principal(), kind, frame, source=source)
    clear_data()
    _fitted_matcher.clear()
    return counts


def save_partnerships(edited: pd.DataFrame, *, user: str = "admin"):
    """Validate edited partnership rows like an import and store them (insert or
    update by home and partner city; rows deleted in the editor stay stored)."""
    from mobility.io import validate_frame

    raw = edited.astype("string").fillna("").astype(str)
    frame, problems, _ = validate_frame(raw, "partnerships", name="partnerships (edited)")
    if problems:
        from mobility.errors import ValidationError

        raise ValidationError("the partnerships were not saved", problems=problems)
    return write_import(frame, "partnerships", user=user, source="edited in the app")


def beneficiary_module_file(matches: pd.DataFrame, *, grant_agreement: str,
                            data_type: str | None = None, lang: str = "de"):
    """The allocated pairs of the signed-in adviser's caseload as the Erasmus+ Beneficiary
    Module file: ``(CSV bytes, BeneficiaryExport)``, audited; see
    :func:`mobility.funding.beneficiary.export_beneficiary_module`."""
    import tempfile
    from pathlib import Path

    from mobility.auth.audit import record
    from mobility.auth.guarded import personal_rows
    from mobility.documents.service import sending_oids
    from mobility.funding.beneficiary import export_beneficiary_module

    frames = data()
    matches = personal_rows(_principal(), matches, frames["apprentices"])  # own caseload
    placed = matches[matches["placement_id"].notna()]
    keep = [c for c in ("apprentice_id", "placement_id", "stay_start", "stay_end", "stay_days")
            if c in placed.columns]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "beneficiary_module.csv"
        result = export_beneficiary_module(placed[keep], frames["apprentices"],
                                           frames["placements"], frames["companies"], path,
                                           grant_agreement=grant_agreement,
                                           sending_oids=sending_oids(engine()),
                                           data_type=data_type, lang=lang)
        with engine().begin() as conn:
            record(conn, _principal(), "export", "beneficiary_module", None,
                   detail={"rows": len(result.activities)})
        return path.read_bytes(), result


def export_matches(matches: pd.DataFrame, fmt: str) -> bytes:
    """An allocation as CSV or XLSX bytes, text cells neutralised against spreadsheet
    formula injection (:func:`mobility.io.writing.neutralise`)."""
    from mobility.auth.guarded import export_personal_data

    # Only the signed-in adviser's caseload, and recorded in the audit trail.
    return export_personal_data(engine(), _principal(), matches, what="matches", fmt=fmt,
                                apprentices=data()["apprentices"])


# ---------------------------------------------------------------------------
# Municipality: aggregates only
# ---------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _comparison(_fingerprint: tuple, scope: str, organisation: str | None) -> pd.DataFrame:
    """:func:`mobility.ui.views.municipality_comparison` over the stored tables, once per
    state of the data and scope (the same for every city; called after the caller's
    ``authorize``)."""
    from mobility.text import fold
    from mobility.ui.views import municipality_comparison

    frames = tables(_fingerprint)
    apprentices = frames["apprentices"]
    if organisation is not None:
        own = apprentices["sending_organisation"].astype("string").fillna("").map(fold)
        apprentices = apprentices[own == fold(organisation)]
    return municipality_comparison(partnerships_for_matching(frames), apprentices,
                                   frames["placements"])


def reach_tables(city: str, partners: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The municipality page's tables for ``city``, computed only after
    ``authorize(VIEW_AGGREGATES)`` for that city, from the apprentices the signed-in
    user's scope covers; counts of people are suppressed below 5
    (:mod:`mobility.ui.views`). Keys: ``reach``, ``places``, ``gaps``, ``comparison``.

    The comparison with other municipalities shows apprentice counts only to a user
    who may see every city's aggregates; partnerships and places are public.
    """
    from mobility.auth import Action, Scope, authorize
    from mobility.auth.aggregates import placement_status_rows
    from mobility.text import fold
    from mobility.ui.views import partner_reach, places_by_trade, trade_gaps

    principal = _principal()
    scope = authorize(principal, Action.VIEW_AGGREGATES)
    if scope is Scope.CITY:
        authorize(principal, Action.VIEW_AGGREGATES, {"city": city})  # its own city only
    frames = data()
    apprentices = frames["apprentices"]
    if scope is Scope.ORGANISATION:
        own = apprentices["sending_organisation"].astype("string").fillna("").map(fold)
        apprentices = apprentices[own == fold(principal.organisation or "")]
    # Read whole for counting only: no row of it leaves this function.
    # Working plans (adopted runs, overrides) and confirmed placements, per apprentice.
    entries = placement_status_rows(engine())
    comparison = _comparison(fingerprint(), scope.name,
                             principal.organisation if scope is Scope.ORGANISATION else None)
    if scope is not Scope.ANY:
        comparison = comparison.drop(columns=["apprentices", "suppressed"])
    return {
        "reach": partner_reach(partners, city=city, apprentices=apprentices,
                               placements=frames["placements"], companies=frames["companies"],
                               shortlist=entries),
        "places": places_by_trade(partners, frames["placements"]),
        "gaps": trade_gaps(partners, city=city, apprentices=apprentices,
                           placements=frames["placements"]),
        "comparison": comparison,
    }
