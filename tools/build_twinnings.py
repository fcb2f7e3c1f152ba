"""Build data/twinnings.csv from ../shared/reference (twinnings.csv + twinnings_de.csv).

Two sources are merged:

* ``twinnings.csv``: 124 partnerships of the 13 largest NRW cities, from the cities' own
  pages (years, statuses, notes). It is the better source for its rows and wins where
  both have a row.
* ``twinnings_de.csv``: 5,441 partnerships of 1,840 municipalities keyed by their official
  code (AGS): English Wikipedia lists (``wikipedia_en_lists``, CC BY-SA 4.0, "confirmed")
  and pairs found only in a 2016 Wikidata P190 crawl (``wikidata_p190_2016``, CC0,
  "unconfirmed": may be outdated or a mere friendship).

Curated rows keep their partner name (a second spelling in brackets becomes ``alt_names``),
status, year and note; the Wikipedia row's name joins ``alt_names`` and its coordinates are
used where the gazetteer's placement of the curated name is more than 25 km away (that is
how Aachen's Arlington moved from Texas to Virginia and Sarıyer from Düzce to Istanbul).
Conversely a Wikipedia geocode more than 25 km from the only GeoNames place of 100,000
people or more with that name in the country is replaced by GeoNames' coordinates.

Rows without partner coordinates (36 in the source), without a partner country, or whose
coordinates lie outside the partner's country (``mobility.geo.country_fits``: Rastatt's
New Britain placed in Papua New Guinea) go to ``twinnings_unplaced.csv`` with a note:
the import format fills blank coordinates from the gazetteer's most populous namesake,
which is the very error the coordinates were dropped for. They wait there for coordinates.

Run: python tools/build_twinnings.py ../shared/reference data
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

from mobility.geo import country_fits, gazetteer, haversine_km
from mobility.text import fold

# Boroughs and districts: the town whose coordinates stand for them.
LOCATED_AS = {
    ("Corinto/El Realejo", "NI"): "Corinto",
    ("South Tyneside", "GB"): "South Shields",
    ("North Tyneside", "GB"): "North Shields",
    ("Berlin Tempelhof-Schöneberg", "DE"): "Schöneberg",
    ("Berlin-Treptow(-Köpenick)", "DE"): "Treptow",
    ("Enniskillen/Fermanagh", "GB"): "Enniskillen",
    ("Windsor and Maidenhead", "GB"): "Maidenhead",
    ("Halifax/Calderdale", "GB"): "Halifax",
    ("Thurrock", "GB"): "Grays",
}

# Brackets that say where a place is rather than giving a second name for it.
QUALIFIERS = {"Virginia", "Istanbul", "Budapest"}
# Curated rows whose Wikipedia row has a name no rule links to.
LINKS = {("Aachen", "Arlington"): "Arlington County"}
# Two rows of one home, country and core name within this distance are one partnership.
SAME_PLACE_KM = 5.0

STATUS = {"active": "active", "active_maintained_2022": "active", "dormant": "dormant",
          "dormant_since_2022": "dormant", "suspended": "suspended", "unclear": "dormant"}

WIKIPEDIA_GERMANY = "https://en.wikipedia.org/wiki/List_of_twin_towns_and_sister_cities_in_Germany"
WIKIPEDIA_LISTS = "https://en.wikipedia.org/wiki/Lists_of_twin_towns_and_sister_cities"
WIKIDATA_P190 = "https://www.wikidata.org/wiki/Property:P190"
LICENCE = {"wikipedia_en_lists": "CC BY-SA 4.0", "wikidata_p190_2016": "CC0 1.0"}
CONFIDENCE = {"wikipedia_en_lists": "confirmed", "wikidata_p190_2016": "unconfirmed"}
# Where the gazetteer's namesake and the Wikipedia geocode disagree by more than this,
# the curated row takes the Wikipedia coordinates.
DISAGREE_KM = 25.0
# A town of this size that GeoNames knows under the name only once in the country is
# the partner: a source geocode far from it is a geocoding error (Overland Park, Kansas
# placed in Washington, D.C.).
BIG_TOWN = 100_000

COLUMNS = [
    "home_city", "home_country", "home_lat", "home_lon", "partner_city", "partner_country",
    "partner_lat", "partner_lon", "alt_names", "located_as", "since_year", "status",
    "status_detail", "note", "source", "home_ags", "confidence", "licence", "source_id",
    "listed_on", "contact_office", "updated_by", "updated_at",
]


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _split_name(raw: str) -> tuple[str, list[str]]:
    """``"Rostov-on-Don (Rostow am Don)"`` -> ``("Rostov-on-Don", ["Rostow am Don"])``."""
    joined = raw.replace("(-", "-").replace(")", "") if "(-" in raw else raw
    alts = [a for a in re.findall(r"\(([^)]*)\)", joined) if a not in QUALIFIERS]
    return re.sub(r"\s*\([^)]*\)\s*", " ", joined).strip(), alts


def _core(name: str) -> str:
    """The name without a bracketed qualifier or a "Budapest XXII – " prefix."""
    return fold(re.sub(r"^.*\s[–-]\s", "", re.sub(r"\s*\(.*?\)", "", name)))


def _dedupe(rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[str]]:
    """Drop a row that repeats another of the same home and country under a second form
    of its name ("Budapest II (Budapest)" next to "Budapest II") within 5 km, or a
    Wikidata row whose name begins another's ("Budafok" next to "Budafok-Tétény"): the
    first row listed (the better-sourced Wikipedia row before a Wikidata one) stays."""
    order = sorted(range(len(rows)), key=lambda i: rows[i]["source_id"] != "wikipedia_en_lists")
    kept: dict[tuple[str, str], list[dict[str, str]]] = {}
    dropped, report = set(), []
    for i in order:
        row = rows[i]
        group = kept.setdefault((row["city_ags"], row["partner_country"]), [])
        core = _core(row["partner"])
        twin = next((k for k in group if k["partner_lat"] and row["partner_lat"]
                     and (core == _core(k["partner"]) or (
                         row["source_id"] == "wikidata_p190_2016"
                         and f"{_core(k['partner'])} ".startswith(f"{core} ")))
                     and haversine_km(float(k["partner_lat"]), float(k["partner_lon"]),
                                      float(row["partner_lat"]), float(row["partner_lon"]))
                     <= SAME_PLACE_KM), None)
        if twin is None:
            group.append(row)
            continue
        dropped.add(i)
        if {twin["listed_on"], row["listed_on"]} == {"german_page", "partner_page"}:
            twin["listed_on"] = "both_pages"
        report.append(f"same partnership twice: {row['city']} - {row['partner']} "
                      f"(kept {twin['partner']})")
    return [r for i, r in enumerate(rows) if i not in dropped], report


def _wiki_source(row: dict[str, str]) -> str:
    if row["source_id"] == "wikidata_p190_2016":
        return WIKIDATA_P190
    pages = {"german_page": [WIKIPEDIA_GERMANY], "partner_page": [WIKIPEDIA_LISTS],
             "both_pages": [WIKIPEDIA_GERMANY, WIKIPEDIA_LISTS]}
    return " ".join(pages.get(row["listed_on"], [WIKIPEDIA_LISTS]))


def _curated(reference: Path) -> list[dict[str, str]]:
    gaz = gazetteer()
    rows, failures = [], []
    for n, r in enumerate(_read(reference / "twinnings.csv"), start=2):
        raw, cc = r["partner_city"].strip(), r["partner_country_iso2"].strip().upper()
        name, alts = _split_name(raw)
        located = LOCATED_AS.get((raw, cc))
        tries = [located] if located else [name, *name.split("/"), *alts]
        hit = next((gaz.get_entry(t, cc) for t in tries if t and gaz.get_entry(t, cc)), None)
        if hit is None:
            failures.append(f"row {n}: {raw} ({cc})")
            continue
        rows.append({
            "home_city": r["home_city"], "home_country": "DE",
            "partner_city": name, "partner_country": cc,
            "partner_lat": round(hit.lat, 5), "partner_lon": round(hit.lon, 5),
            "alt_names": alts, "located_as": located or "", "tries": tries,
            "since_year": r["since_year"], "status": STATUS[r["status"]],
            "status_detail": r["status"], "note": r["note"], "source": r["source"],
        })
    if failures:
        raise SystemExit("could not place:\n" + "\n".join(failures))
    return rows


def _link(curated: dict, candidates: list[dict[str, str]]) -> dict[str, str] | None:
    """The twinnings_de row of the same partnership: same folded name (any spelling),
    else the same gazetteer entry, else the only row of that country within 25 km."""
    gaz = gazetteer()
    linked = LINKS.get((curated["home_city"], curated["partner_city"]))
    if linked:
        return next(c for c in candidates if c["partner"] == linked)
    names = {fold(t) for t in [curated["partner_city"], *curated["tries"],
                               *curated["alt_names"]] if t}
    same = [c for c in candidates if fold(c["partner"]) in names
            or fold(re.sub(r"^.*[–-]\s*", "", c["partner"])) in names]
    if len(same) == 1:
        return same[0]
    cc = curated["partner_country"]
    ids = {e.geonameid for t in names if (e := gaz.get_entry(t, cc))}
    same = [c for c in candidates if (e := gaz.get_entry(c["partner"], cc)) and e.geonameid in ids]
    if len(same) == 1:
        return same[0]
    near = [c for c in candidates if c["partner_lat"] and haversine_km(
        curated["partner_lat"], curated["partner_lon"], float(c["partner_lat"]),
        float(c["partner_lon"])) <= DISAGREE_KM]
    return near[0] if len(near) == 1 else None


def build(reference: Path) -> tuple[list[dict], list[dict], list[str]]:
    """The merged rows, the rows without coordinates, and a report of what was done."""
    national, report = _dedupe(_read(reference / "twinnings_de.csv"))
    by_home_country: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in national:
        by_home_country.setdefault((row["city"], row["partner_country"]), []).append(row)
    ags_of = {row["city"]: (row["city_ags"], row["city_lat"], row["city_lon"]) for row in national}
    used, out = set(), []
    for cur in _curated(reference):
        ags, home_lat, home_lon = ags_of[cur["home_city"]]
        match = _link(cur, by_home_country.get((cur["home_city"], cur["partner_country"]), []))
        alts = list(cur["alt_names"])
        if match is None:
            report.append(f"curated only: {cur['home_city']} - {cur['partner_city']}")
            source_id, listed = "city_page", ""
        else:
            used.add(id(match))
            if fold(match["partner"]) not in {fold(cur["partner_city"]), *map(fold, alts)}:
                alts.append(match["partner"])
            source_id, listed = f"city_page;{match['source_id']}", match["listed_on"]
            if match["partner_lat"]:
                lat, lon = float(match["partner_lat"]), float(match["partner_lon"])
                km = haversine_km(cur["partner_lat"], cur["partner_lon"], lat, lon)
                if km > DISAGREE_KM:
                    report.append(f"moved {cur['home_city']} - {cur['partner_city']} by "
                                  f"{km:,.0f} km to the Wikipedia geocode ({lat}, {lon})")
                    cur["partner_lat"], cur["partner_lon"] = lat, lon
        out.append({
            **{k: cur[k] for k in ("home_city", "home_country", "partner_city",
                                   "partner_country", "partner_lat", "partner_lon",
                                   "located_as", "since_year", "status", "status_detail",
                                   "note", "source")},
            "home_lat": home_lat, "home_lon": home_lon, "alt_names": ";".join(alts),
            "home_ags": ags, "confidence": "confirmed",
            "licence": LICENCE["wikipedia_en_lists"] if match else "",
            "source_id": source_id, "listed_on": listed,
        })
    unplaced = []
    placed = [r for r in national if r["partner_lat"] and r["partner_country"]]
    fits = dict(zip(map(id, placed), country_fits(
        [float(r["partner_lat"]) for r in placed], [float(r["partner_lon"]) for r in placed],
        [r["partner_country"] for r in placed]), strict=True))
    gaz = gazetteer()
    same_name = Counter(zip(gaz.entries.name, gaz.entries.country, strict=True))
    for row in national:
        if id(row) in used:
            continue
        entry = gaz.get_entry(row["partner"], row["partner_country"]) if row["partner_lat"] \
            else None
        if (entry is not None and entry.population >= BIG_TOWN
                and same_name[(entry.name, entry.country)] == 1):
            km = haversine_km(entry.lat, entry.lon, float(row["partner_lat"]),
                              float(row["partner_lon"]))
            if km > DISAGREE_KM:
                report.append(f"moved {row['city']} - {row['partner']} by {km:,.0f} km to "
                              f"the only GeoNames place of that name ({entry.name})")
                row["note"] = "; ".join(filter(None, [
                    row["note"], f"source geocode {km:,.0f} km from {entry.name}: "
                    "GeoNames coordinates used"]))
                row["partner_lat"], row["partner_lon"] = str(entry.lat), str(entry.lon)
        if row["in_previous_reference"] == "yes":
            report.append(f"in previous reference but not linked: {row['city']} - {row['partner']}")
        record = {
            "home_city": row["city"], "home_country": "DE", "home_lat": row["city_lat"],
            "home_lon": row["city_lon"], "partner_city": row["partner"],
            "partner_country": row["partner_country"], "partner_lat": row["partner_lat"],
            "partner_lon": row["partner_lon"], "alt_names": "", "located_as": "",
            "since_year": row["since_year"], "status": "active", "status_detail": "",
            "note": row["note"], "source": _wiki_source(row), "home_ags": row["city_ags"],
            "confidence": CONFIDENCE[row["source_id"]], "licence": LICENCE[row["source_id"]],
            "source_id": row["source_id"], "listed_on": row["listed_on"],
        }
        if not row["partner_country"]:
            record["note"] = "; ".join(filter(None, [row["note"], "no partner country"]))
            unplaced.append(record)
        elif row["partner_lat"] and not fits[id(row)]:
            report.append(f"coordinates outside {row['partner_country']}: {row['city']} - "
                          f"{row['partner']} ({row['partner_lat']}, {row['partner_lon']})")
            record["note"] = "; ".join(filter(None, [
                row["note"], f"coordinates ({row['partner_lat']}, {row['partner_lon']}) lie "
                f"outside {row['partner_country']}: dropped"]))
            record["partner_lat"] = record["partner_lon"] = ""
            unplaced.append(record)
        else:
            (out if row["partner_lat"] else unplaced).append(record)
    return out, unplaced, report


def _write(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def main(reference: str, data: str) -> None:
    rows, unplaced, report = build(Path(reference))
    _write(Path(data) / "twinnings.csv", rows)
    _write(Path(data) / "twinnings_unplaced.csv", unplaced)
    print("\n".join(report))
    print(f"wrote {len(rows):,} partnerships to {data}/twinnings.csv and "
          f"{len(unplaced)} without coordinates to {data}/twinnings_unplaced.csv")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
