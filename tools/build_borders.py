"""Build ``data/borders/countries.geojson``: country borders as lines, for offline maps.

The maps draw country borders from this file over a plain white background, so they
stay readable without internet (map tiles need it). The source is Natural Earth
(public domain) as packed in the npm package ``world-atlas`` (TopoJSON, ISC licence).
This script never downloads anything; fetch the package yourself once::

    cd /tmp && npm pack world-atlas          # -> world-atlas-2.0.2.tgz
    python tools/build_borders.py /tmp/world-atlas-2.0.2.tgz

It decodes the TopoJSON arcs (each shared border is stored once, so every border is
drawn once), simplifies them with Douglas-Peucker, rounds coordinates to two decimals
(about 1 km) and writes one GeoJSON feature holding a ``MultiLineString``.
"""

from __future__ import annotations

import argparse
import json
import tarfile
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "data" / "borders" / "countries.geojson"


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """Absolute lon/lat coordinates of every arc of a quantised TopoJSON topology."""
    scale = np.asarray(topology["transform"]["scale"], dtype=float)
    translate = np.asarray(topology["transform"]["translate"], dtype=float)
    # Quantised arcs are delta-encoded: the running sum gives the grid position.
    return [np.cumsum(np.asarray(arc, dtype=float), axis=0) * scale + translate
            for arc in topology["arcs"]]


def simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker: keep the points further than ``tolerance`` degrees from the
    chord; iterative, so long coastlines do not hit the recursion limit."""
    if len(points) < 3:
        return points
    keep = np.zeros(len(points), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = points[first], points[last]
        segment = points[first + 1:last]
        chord = b - a
        length = np.hypot(*chord)
        if length == 0:
            dist = np.hypot(*(segment - a).T)
        else:
            dist = np.abs(chord[0] * (segment[:, 1] - a[1]) - chord[1] * (segment[:, 0] - a[0]))
            dist = dist / length
        worst = int(np.argmax(dist))
        if dist[worst] > tolerance:
            index = first + 1 + worst
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return points[keep]


def build(archive: Path, member: str, tolerance: float) -> dict:
    with tarfile.open(archive) as tar:
        topology = json.load(tar.extractfile(f"package/{member}"))
    lines = []
    for arc in decode_arcs(topology):
        line = np.round(simplify(arc, tolerance), 2)
        # Rounding can make neighbours equal: drop the repeats.
        same = np.r_[False, np.all(line[1:] == line[:-1], axis=1)]
        line = line[~same]
        # A border that crosses the antimeridian (Chukotka, Fiji) jumps from +180 to
        # -180: split it there, or the map draws a line right across the world.
        jumps = np.flatnonzero(np.abs(np.diff(line[:, 0])) > 180) + 1
        # Antarctica's polygon closes along the map's bottom edge: not a border, drop it.
        pole = line[:, 1] <= -84.9
        cuts = sorted({*jumps, *np.flatnonzero(pole), *(np.flatnonzero(pole) + 1)})
        for piece in np.split(line, cuts):
            piece = piece[piece[:, 1] > -84.9]
            if len(piece) >= 2:
                lines.append(piece.tolist())
    return {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {
                "source": f"Natural Earth via npm world-atlas ({member}), public domain"},
            "geometry": {"type": "MultiLineString", "coordinates": lines},
        }],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path,
                        help="world-atlas-*.tgz made by `npm pack world-atlas`")
    parser.add_argument("--member", default="countries-50m.json")
    parser.add_argument("--tolerance", type=float, default=0.03, help="degrees")
    args = parser.parse_args()
    geojson = build(args.archive, args.member, args.tolerance)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(geojson, separators=(",", ":")), encoding="utf-8")
    count = len(geojson["features"][0]["geometry"]["coordinates"])
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {count} lines)")


if __name__ == "__main__":
    main()
