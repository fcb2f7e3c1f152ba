"""Build data/twinnings.csv from ../shared/reference/twinnings.csv.

Normalises partner names (a second spelling in brackets becomes `alt_names`), maps the
status to active/dormant/suspended (keeping the original as `status_detail`), and adds
coordinates from the offline gazetteer. Districts and boroughs that GeoNames does not
list as cities are placed at their main town (column `located_as` says which).
Run: .venv/bin/python tools/build_twinnings.py ../shared/reference/twinnings.csv data/twinnings.csv
"""

import csv
import re
import sys

from mobility.geo import gazetteer

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

STATUS = {"active": "active", "active_maintained_2022": "active", "dormant": "dormant",
          "dormant_since_2022": "dormant", "suspended": "suspended", "unclear": "dormant"}


def main(src: str, dst: str) -> None:
    gaz = gazetteer()
    out_rows = []
    failures = []
    with open(src, encoding="utf-8") as fh:
        reference = list(csv.DictReader(fh))
    for n, r in enumerate(reference, start=2):
        raw, cc = r["partner_city"].strip(), r["partner_country_iso2"].strip().upper()
        joined = raw.replace("(-", "-").replace(")", "") if "(-" in raw else raw
        alts = re.findall(r"\(([^)]*)\)", joined)
        name = re.sub(r"\s*\([^)]*\)\s*", " ", joined).strip()
        located = LOCATED_AS.get((raw, cc))
        tries = [located] if located else [name, *name.split("/"), *alts]
        hit = next((gaz.get_entry(t, cc) for t in tries if t and gaz.get_entry(t, cc)), None)
        home = gaz.get_entry(r["home_city"], "DE")
        if hit is None or home is None:
            failures.append(f"row {n}: {raw} ({cc})")
            continue
        out_rows.append({
            "home_city": r["home_city"], "home_country": "DE",
            "home_lat": round(home.lat, 5), "home_lon": round(home.lon, 5),
            "partner_city": name, "partner_country": cc,
            "partner_lat": round(hit.lat, 5), "partner_lon": round(hit.lon, 5),
            "alt_names": ";".join(alts), "located_as": located or "",
            "since_year": r["since_year"], "status": STATUS[r["status"]],
            "status_detail": r["status"], "note": r["note"], "source": r["source"],
        })
    if failures:
        raise SystemExit("could not place:\n" + "\n".join(failures))
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out_rows[0]))
        w.writeheader()
        w.writerows(out_rows)
    print(f"wrote {len(out_rows)} partnerships to {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
