"""The shared import format: which columns each kind of table has, and what they hold.

One :class:`TableSpec` per kind (``apprentices``, ``companies``, ``placements``,
``partnerships``). The reader, the validator, the exporter, the database schema and
``docs/data-format.md`` all follow these specs, so the format is written down once.

Examples
--------
>>> from mobility.io.specs import spec_for
>>> spec = spec_for("placements")
>>> spec.key
('placement_id',)
>>> spec.column("slots").dtype
'int64'
>>> [c.name for c in spec.columns if c.required][:3]
['placement_id', 'company_id', 'trade']
"""

from __future__ import annotations

from dataclasses import dataclass

from mobility.errors import ValidationError

#: The pandas dtype each parser produces.
DTYPES: dict[str, str] = {
    "id": "string",
    "text": "string",
    "email": "string",
    "url": "string",
    "country": "string",
    "countries": "string",
    "trade": "string",
    "trades": "string",
    "isco08": "string",
    "languages": "string",
    "status": "string",
    "lat": "float64",
    "lon": "float64",
    "float": "float64",
    "int": "int64",
    "year": "Int64",
    "date": "datetime64[ns]",
    "bool": "bool",
    "oid": "string",
}


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of an import file.

    Parameters
    ----------
    name : str
        Header as written in the file (lower case, underscores).
    parser : str
        How cells are read: a key of :data:`DTYPES`.
    required : bool
        Required columns must be present and no cell may be blank. Optional columns
        may be left out of the file or left blank; blanks become ``""``, ``NaN``,
        ``NaT``, ``<NA>`` or ``False`` by type.
    minimum, maximum : float, optional
        Inclusive bounds for numbers.
    example : str
        A cell as it might appear in a file.
    meaning : str
        What the column means, for ``docs/data-format.md`` and error messages.
    """

    name: str
    parser: str
    required: bool
    example: str
    meaning: str
    minimum: float | None = None
    maximum: float | None = None

    @property
    def dtype(self) -> str:
        return DTYPES[self.parser]


@dataclass(frozen=True, slots=True)
class PlaceColumns:
    """A city with its coordinates inside one row: blank coordinates are filled
    from the offline gazetteer by city and country."""

    city: str
    country: str
    lat: str
    lon: str


@dataclass(frozen=True, slots=True)
class DateWindow:
    """Two date columns where the second may not come before the first, and, when
    ``weeks`` names a column, the window must be long enough for that many weeks."""

    start: str
    end: str
    weeks: str | None = None


@dataclass(frozen=True, slots=True)
class TableSpec:
    """Everything the import format says about one kind of table."""

    kind: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    places: tuple[PlaceColumns, ...] = ()
    windows: tuple[DateWindow, ...] = ()
    trade_column: str | None = None
    isco_column: str | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def dtypes(self) -> dict[str, str]:
        return {c.name: c.dtype for c in self.columns}

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _c(name, parser, required, example, meaning, minimum=None, maximum=None) -> ColumnSpec:
    return ColumnSpec(name, parser, required, example, meaning, minimum, maximum)


_SYNTHETIC = _c("synthetic", "bool", False, "true",
                "true for generated demo data; such rows are labelled synthetic everywhere")

APPRENTICES = TableSpec(
    kind="apprentices",
    key=("apprentice_id",),
    columns=(
        _c("apprentice_id", "id", True, "A-0001", "unique id of the apprentice in this file"),
        _c("name", "text", True, "Lea Schmitz", "full name"),
        _c("email", "email", False, "lea.schmitz@example.org", "contact e-mail address"),
        _c("date_of_birth", "date", False, "2005-04-17",
           "date of birth (programmes have age limits)"),
        _c("sending_organisation", "text", False, "IHK Dortmund",
           "chamber, vocational school or company that sends the apprentice"),
        _c("home_city", "text", True, "Dortmund", "home municipality (looked up in the gazetteer)"),
        _c("home_country", "country", True, "DE", "ISO 3166 two-letter code of the home country"),
        _c("home_lat", "lat", False, "51.51494",
           "latitude of the home city; blank: filled from the gazetteer"),
        _c("home_lon", "lon", False, "7.466",
           "longitude of the home city; blank: filled from the gazetteer"),
        _c("trade", "trade", True, "Tischler/in",
           "Ausbildungsberuf: official name, synonym or gender form; stored as the official name"),
        _c("isco08", "isco08", False, "7522",
           "ISCO-08 unit group (4 digits); blank: taken from the trade"),
        _c("training_year", "int", True, "2", "year of training, 1 to 4", 1, 4),
        _c("languages", "languages", False, "de:native;en:B2;fr:A2",
           "languages with CEFR level (A1..C2 or native), ';' between them"),
        _c("available_from", "date", True, "2026-03-01", "first day the apprentice can go"),
        _c("available_to", "date", True, "2026-06-30", "last day the apprentice can be away"),
        _c("desired_weeks", "int", True, "4", "length of stay wanted, in weeks (1 to 104)", 1, 104),
        _c("preferred_countries", "countries", False, "GB;FR",
           "countries the apprentice prefers (ISO codes, ';' between them); blank: any"),
        _c("max_distance_km", "float", False, "1500",
           "furthest distance from home the apprentice accepts; blank: no limit", 1e-9, None),
        _c("fewer_opportunities", "bool", False, "false",
           "Erasmus+ 'fewer opportunities' (extra support and top-ups)"),
        _SYNTHETIC,
    ),
    places=(PlaceColumns("home_city", "home_country", "home_lat", "home_lon"),),
    windows=(DateWindow("available_from", "available_to", weeks="desired_weeks"),),
    trade_column="trade",
    isco_column="isco08",
)

COMPANIES = TableSpec(
    kind="companies",
    key=("company_id",),
    columns=(
        _c("company_id", "id", True, "C-001", "unique id of the host company"),
        _c("name", "text", True, "Leeds Joinery Ltd", "company name"),
        _c("city", "text", True, "Leeds", "city of the company"),
        _c("country", "country", True, "GB", "ISO 3166 two-letter country code"),
        _c("lat", "lat", False, "53.79648", "latitude; blank: filled from the gazetteer"),
        _c("lon", "lon", False, "-1.54785", "longitude; blank: filled from the gazetteer"),
        _c("sector", "text", False, "carpentry", "economic sector, free text"),
        _c("contact_email", "email", False, "training@example.co.uk", "contact e-mail address"),
        _c("website", "url", False, "https://example.co.uk", "web site"),
        _c("oid", "oid", False, "E10012345",
           "Erasmus+ organisation ID (E + 8 digits) for the Beneficiary Module file"),
        _SYNTHETIC,
    ),
    places=(PlaceColumns("city", "country", "lat", "lon"),),
)

PLACEMENTS = TableSpec(
    kind="placements",
    key=("placement_id",),
    columns=(
        _c("placement_id", "id", True, "P-0001", "unique id of the placement offer"),
        _c("company_id", "id", True, "C-001", "host company (a company_id from companies)"),
        _c("trade", "trade", True, "Tischler/in",
           "trade the host trains in; stored as the official name"),
        _c("isco08", "isco08", False, "7522", "ISCO-08 unit group; blank: taken from the trade"),
        _c("city", "text", True, "Leeds", "city where the placement takes place"),
        _c("country", "country", True, "GB", "ISO 3166 two-letter country code"),
        _c("lat", "lat", False, "53.79648", "latitude; blank: filled from the gazetteer"),
        _c("lon", "lon", False, "-1.54785", "longitude; blank: filled from the gazetteer"),
        _c("slots", "int", True, "2", "places offered (0 allowed: full)", 0, None),
        _c("start", "date", True, "2026-03-01", "first possible day"),
        _c("end", "date", True, "2026-09-30", "last possible day"),
        _c("min_weeks", "int", True, "3", "shortest stay accepted, in weeks", 1, 104),
        _c("max_weeks", "int", True, "8", "longest stay accepted, in weeks", 1, 104),
        _c("languages", "languages", False, "en:B1;es:A2",
           "working languages the host accepts; any ONE of them at its level suffices"),
        _c("accommodation", "bool", False, "true", "the host offers or arranges accommodation"),
        _c("accepts_related_trades", "bool", False, "false",
           "the host also takes apprentices of related trades (same ISCO-08 sub-major group)"),
        _c("further_trades", "trades", False, "Friseur/in;7411",
           "further trades the host takes (trade names or ISCO-08 codes, ';'-separated)"),
        _SYNTHETIC,
    ),
    places=(PlaceColumns("city", "country", "lat", "lon"),),
    windows=(DateWindow("start", "end", weeks="min_weeks"),),
    trade_column="trade",
    isco_column="isco08",
)

PARTNERSHIPS = TableSpec(
    kind="partnerships",
    key=("home_city", "home_country", "partner_city", "partner_country"),
    columns=(
        _c("home_city", "text", True, "Dortmund", "German municipality"),
        _c("home_country", "country", True, "DE", "ISO code of the home municipality's country"),
        _c("home_lat", "lat", False, "51.51494", "latitude; blank: filled from the gazetteer"),
        _c("home_lon", "lon", False, "7.466", "longitude; blank: filled from the gazetteer"),
        _c("partner_city", "text", True, "Leeds", "twin town"),
        _c("partner_country", "country", True, "GB", "ISO code of the twin town's country"),
        _c("partner_lat", "lat", False, "53.79648", "latitude; blank: filled from the gazetteer"),
        _c("partner_lon", "lon", False, "-1.54785", "longitude; blank: filled from the gazetteer"),
        _c("since_year", "year", False, "1969", "year the partnership was signed", 1800, None),
        _c("status", "status", False, "active",
           "active, dormant, suspended or ended (German: aktiv, ruhend, ausgesetzt, "
           "beendet); blank: active"),
        _c("source", "url", False, "https://www.dortmund.de/...",
           "where the partnership is documented"),
        # Interface 4 (data -> partners): identity, provenance and who last changed the row.
        _c("home_ags", "id", False, "05913000",
           "official municipality code (AGS, 8 digits) of the home municipality"),
        _c("confidence", "text", False, "confirmed",
           "confirmed or unconfirmed (e.g. taken from Wikidata, not checked); blank: confirmed"),
        _c("licence", "text", False, "CC BY-SA 4.0", "licence of the source the row comes from"),
        _c("contact_office", "text", False, "Auslandsgesellschaft.de, Dortmund",
           "office of the municipality that looks after the partnership"),
        _c("updated_by", "text", False, "stadt-dortmund",
           "account that last changed the row (set by the product)"),
        _c("updated_at", "text", False, "2026-11-29T10:42:00.123456+00:00",
           "when the row was last changed, ISO 8601 in UTC (set by the product)"),
    ),
    places=(
        PlaceColumns("home_city", "home_country", "home_lat", "home_lon"),
        PlaceColumns("partner_city", "partner_country", "partner_lat", "partner_lon"),
    ),
)

SPECS: dict[str, TableSpec] = {
    s.kind: s for s in (APPRENTICES, COMPANIES, PLACEMENTS, PARTNERSHIPS)}

#: The kinds in the order a complete data set should be imported (companies before
#: the placements that name them).
KINDS: tuple[str, ...] = ("partnerships", "companies", "placements", "apprentices")


def spec_for(kind: str) -> TableSpec:
    """The spec of ``kind``; raises :class:`ValidationError` listing the known kinds."""
    try:
        return SPECS[kind]
    except KeyError:
        raise ValidationError(
            f"unknown kind {kind!r}: use one of {', '.join(sorted(SPECS))}"
        ) from None


def empty_frame(kind: str):
    """A zero-row DataFrame with exactly the columns and dtypes of ``kind``."""
    import pandas as pd

    spec = spec_for(kind)
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in spec.columns})
