"""Plotly maps that stay readable offline.

Map tiles come from the internet; tests, CI and a laptop on a train have none. So by
default every map is drawn on a plain white background (``map_style="white-bg"``) with
a country-borders layer read from ``data/borders/countries.geojson`` (Natural Earth,
public domain; rebuilt by ``tools/build_borders.py``). When ``MOBILITY_MAP_STYLE`` names
a tile style (``open-street-map``, ``carto-positron`` ...), that style is used instead.

Each map is framed on its own data (:func:`frame`): a centre and a zoom that fit every
point, never the whole world by accident. Colour and size carry meaning and appear in
the legend, which explains the drawing (home, lines to twin towns, placements in a
twin town or elsewhere; a partnership's status), never the data's categories; size is
the places left. Places carry their city's name as a label.

No Streamlit here: these functions return ``plotly.graph_objects.Figure`` objects that
the pages show and tests inspect.

Examples
--------
>>> import pandas as pd
>>> from mobility.models import City
>>> home = City("Dortmund", "DE", 51.51, 7.47)
>>> partners = pd.DataFrame({"partner_city": ["Leeds", "Amiens"],
...                          "partner_country": ["GB", "FR"],
...                          "partner_lat": [53.80, 49.90], "partner_lon": [-1.55, 2.30],
...                          "status": ["active", "active"]})
>>> fig = reach_map(home, partners, lang="en")
>>> fig.layout.map.style
'white-bg'
>>> [t.name for t in fig.data][:2]
['Dortmund', 'active']
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from functools import cache

import pandas as pd
import plotly.graph_objects as go

from mobility.i18n import t
from mobility.models import City
from mobility.paths import data_dir

#: The background used when no tile style is configured: draws offline, cleanly.
OFFLINE_STYLE = "white-bg"

#: Line colours of partnership status (active is the product's point: strongest colour).
STATUS_COLOURS = {"active": "#1b7f3b", "dormant": "#d39b00", "suspended": "#b22222",
                  "ended": "#6b6b6b"}

HOME_COLOUR = "#1f3a93"
TWIN_COLOUR = "#1b7f3b"
OTHER_COLOUR = "#7f7f7f"


def map_style() -> str:
    """The tile style to draw on: ``MOBILITY_MAP_STYLE`` when set, else white."""
    return os.environ.get("MOBILITY_MAP_STYLE", "").strip() or OFFLINE_STYLE


class SharedGeoJSON(dict):
    """A read-only GeoJSON mapping that copies are allowed to share.

    Plotly deep-copies a figure's layout when it validates it and again when Streamlit
    turns it into a dict: for the 36,000 border points that was most of an apprentice
    search (0.4 s of 1.1 s). The borders never change, so a copy may be the same object;
    the mapping refuses changes so that sharing stays safe.

    >>> shared = SharedGeoJSON({"type": "FeatureCollection", "features": []})
    >>> import copy
    >>> copy.deepcopy(shared) is shared
    True
    >>> shared["type"] = "x"
    Traceback (most recent call last):
    TypeError: the shared border GeoJSON is read-only
    """

    def __deepcopy__(self, memo: dict) -> SharedGeoJSON:
        return self

    def __copy__(self) -> SharedGeoJSON:
        return self

    def _read_only(self, *args, **kwargs):
        raise TypeError("the shared border GeoJSON is read-only")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _read_only


@cache
def borders_geojson() -> SharedGeoJSON:
    """Country borders as one GeoJSON feature collection (read once per process, shared
    by every map, never copied)."""
    path = data_dir() / "borders" / "countries.geojson"
    with open(path, encoding="utf-8") as fh:
        return SharedGeoJSON(json.load(fh))


def border_layers(style: str | None = None) -> list[dict]:
    """The extra map layers for ``style``: country borders on the white background,
    nothing over real tiles (they draw their own borders)."""
    if (style or map_style()) != OFFLINE_STYLE:
        return []
    return [{
        "source": borders_geojson(),
        "type": "line",
        "color": "#9a9a9a",
        "line": {"width": 0.8},
        "below": "traces",
    }]


def frame(lats: Iterable[float], lons: Iterable[float]) -> tuple[dict[str, float], float]:
    """A centre and zoom that show every point, with a margin.

    Web-map zoom ``z`` shows about ``360 / 2**z`` degrees of longitude across a
    ~512-pixel map; latitude spans are stretched by Mercator, so the latitude span is
    measured in projected units. The smaller of the two zooms wins.

    >>> centre, zoom = frame([52.0, 54.0], [7.5, -1.5])
    >>> round(centre["lat"], 1), round(centre["lon"], 1), 4 <= zoom <= 6
    (53.0, 3.0, True)
    >>> frame([], [])  # nothing to show: all of Europe
    ({'lat': 50.0, 'lon': 10.0}, 3.0)
    """
    lat_list = [float(v) for v in lats if v is not None and not math.isnan(float(v))]
    lon_list = [float(v) for v in lons if v is not None and not math.isnan(float(v))]
    if not lat_list or not lon_list:
        return {"lat": 50.0, "lon": 10.0}, 3.0
    lat_min, lat_max = min(lat_list), max(lat_list)
    lon_min, lon_max = min(lon_list), max(lon_list)

    def mercator(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))

    lon_span = max(lon_max - lon_min, 0.05) * 1.3  # 30 % margin so markers are not on the edge
    lat_span = max(mercator(lat_max) - mercator(lat_min), 0.05) * 1.3
    zoom = min(math.log2(360.0 / lon_span), math.log2(180.0 / lat_span)) - 0.3
    centre = {"lat": (lat_min + lat_max) / 2, "lon": (lon_min + lon_max) / 2}
    return centre, float(max(0.5, min(zoom, 11.0)))


def _lines_trace(
    origin: City, targets: pd.DataFrame, lat: str, lon: str, *, name: str, colour: str,
    dash: bool = False, showlegend: bool = True,
) -> go.Scattermap:
    """One trace holding a straight line from ``origin`` to each target (None breaks
    the line between segments, so thousands of lines stay one trace)."""
    lats: list[float | None] = []
    lons: list[float | None] = []
    for row in targets[[lat, lon]].itertuples(index=False):
        lats += [origin.lat, float(row[0]), None]
        lons += [origin.lon, float(row[1]), None]
    return go.Scattermap(
        lat=lats, lon=lons, mode="lines", name=name, hoverinfo="skip",
        line={"width": 1.5 if dash else 2.5, "color": colour}, showlegend=showlegend,
        legendgroup=name,
    )


def _home_trace(home: City, lang: str) -> go.Scattermap:
    return go.Scattermap(
        lat=[home.lat], lon=[home.lon], mode="markers+text", name=home.name,
        text=[home.name], textposition="top right",
        marker={"size": 16, "color": HOME_COLOUR},
        hovertemplate=f"{home.name} ({t('map.home', lang)})<extra></extra>",
    )


def _finish(fig: go.Figure, lats: list[float], lons: list[float], lang: str) -> go.Figure:
    style = map_style()
    centre, zoom = frame(lats, lons)
    fig.update_layout(
        map={"style": style, "center": centre, "zoom": zoom, "layers": border_layers(style)},
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0,
                "bgcolor": "rgba(255,255,255,0.8)", "title": {"text": ""}},
        height=480,
        meta={"lang": lang},
    )
    return fig


def placements_map(
    home: City | None,
    placements: pd.DataFrame,
    twin_towns: pd.DataFrame | None = None,
    *,
    lang: str = "de",
) -> go.Figure:
    """The apprentice's map: home city, the placements offered, lines to the twin towns.

    Every place is labelled with its city's name. The legend explains what the map
    draws, not the data: the home town (blue), lines to its twin towns (green),
    placements in a twin town (green dots) and elsewhere (grey dots); a dot's size is
    the number of free places.

    Parameters
    ----------
    home : City or None
        The apprentice's home city (a big blue marker), or None when not yet known.
    placements : DataFrame
        One row per placement with ``lat``, ``lon``, ``city`` and optionally
        ``slots_left`` (marker size), ``twin_town`` (bool: colour), ``company``,
        ``trade`` and ``score`` for the hover text.
    twin_towns : DataFrame, optional
        The home city's partnerships (``partner_lat``, ``partner_lon``): drawn as
        green lines from home, so a placement in a twin town sits at a line's end.
        The map is framed on home and the placements (on the twin towns when there
        are no placements); lines to far twin towns run off the frame.
    lang : {"de", "en"}
        Language of legend and hover labels.

    Examples
    --------
    >>> import pandas as pd
    >>> from mobility.models import City
    >>> offers = pd.DataFrame({"lat": [53.8, 49.9], "lon": [-1.55, 2.3],
    ...                        "city": ["Leeds", "Amiens"], "trade": ["Tischler/in"] * 2,
    ...                        "slots_left": [2, 1], "twin_town": [True, False]})
    >>> fig = placements_map(City("Dortmund", "DE", 51.51, 7.47), offers, lang="en")
    >>> [trace.name for trace in fig.data]
    ['Placement in a twin town', 'Placement elsewhere', 'Dortmund']
    >>> list(fig.data[0].text), fig.data[2].mode
    (['Leeds'], 'markers+text')
    """
    fig = go.Figure()
    lats: list[float] = []
    lons: list[float] = []
    if home is not None and twin_towns is not None and not twin_towns.empty:
        fig.add_trace(_lines_trace(home, twin_towns, "partner_lat", "partner_lon",
                                   name=t("map.twin_lines", lang), colour=TWIN_COLOUR))
        if placements.empty:  # otherwise the frame is the placements: far twins run off it
            lats += twin_towns["partner_lat"].astype(float).tolist()
            lons += twin_towns["partner_lon"].astype(float).tolist()
    if not placements.empty:
        shown = placements.copy()
        if "slots_left" not in shown:
            shown["slots_left"] = 1
        twin = (shown["twin_town"].fillna(False).astype(bool) if "twin_town" in shown
                else pd.Series(False, index=shown.index))
        for in_twin, name, colour in ((True, t("map.in_twin_town", lang), TWIN_COLOUR),
                                      (False, t("map.elsewhere", lang), OTHER_COLOUR)):
            group = shown[twin == in_twin]
            if group.empty:
                continue
            size = (8 + 3 * group["slots_left"].clip(lower=0, upper=6).astype(float)).tolist()
            hover = [" · ".join(str(v) for v in values if isinstance(v, str) and v)
                     for values in zip(group.get("company", group["city"]),
                                       group.get("trade", group["city"]), strict=True)]
            fig.add_trace(go.Scattermap(
                lat=group["lat"].astype(float), lon=group["lon"].astype(float),
                mode="markers+text", name=name, text=group["city"].astype(str).tolist(),
                textposition="top right", marker={"size": size, "color": colour},
                customdata=hover, hovertemplate="%{text}<br>%{customdata}<extra></extra>",
            ))
        lats += shown["lat"].astype(float).tolist()
        lons += shown["lon"].astype(float).tolist()
    if home is not None:
        fig.add_trace(_home_trace(home, lang))
        lats.append(home.lat)
        lons.append(home.lon)
    return _finish(fig, lats, lons, lang)


def reach_map(
    home: City,
    partners: pd.DataFrame,
    *,
    places: pd.DataFrame | None = None,
    lang: str = "de",
) -> go.Figure:
    """The municipality's map: the city, its twin towns, lines coloured by status.

    Parameters
    ----------
    home : City
        The municipality.
    partners : DataFrame
        Its partnerships (``partner_city``, ``partner_lat``, ``partner_lon``,
        ``status`` in active/dormant/suspended).
    places : DataFrame, optional
        Per partner city (``partner_city``) the open places (``open_places``): marker
        size. Already aggregated; no person appears on this map.
    lang : {"de", "en"}
        Language of labels.
    """
    fig = go.Figure()
    fig.add_trace(_home_trace(home, lang))
    shown = partners.copy()
    shown["open_places"] = 0
    if places is not None and not places.empty:
        counts = places.set_index("partner_city")["open_places"]
        shown["open_places"] = shown["partner_city"].map(counts).fillna(0).astype(int)
    for status, colour in STATUS_COLOURS.items():
        group = shown[shown["status"].astype(str) == status]
        if group.empty:
            continue
        label = t(f"status.{status}", lang)
        fig.add_trace(_lines_trace(home, group, "partner_lat", "partner_lon", name=label,
                                   colour=colour, dash=status != "active", showlegend=True))
        fig.add_trace(go.Scattermap(
            lat=group["partner_lat"], lon=group["partner_lon"], mode="markers+text",
            name=label, legendgroup=label, showlegend=False,
            text=group["partner_city"], textposition="top right",
            marker={"size": (8 + 2 * group["open_places"].clip(upper=10)).tolist(),
                    "color": colour},
            customdata=group[["partner_country", "open_places"]].to_numpy(),
            hovertemplate=(f"%{{text}} (%{{customdata[0]}})<br>{label}<br>"
                           f"{t('field.open_places', lang)}: %{{customdata[1]}}<extra></extra>"),
        ))
    lats = [home.lat, *shown["partner_lat"].astype(float)]
    lons = [home.lon, *shown["partner_lon"].astype(float)]
    return _finish(fig, lats, lons, lang)
