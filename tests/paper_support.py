"""Small tables and a seeded database for the Beneficiary Module and document tests.

Three apprentices of "HWK Test" (Dortmund, Köln, Stuttgart) and one of "IHK Anders";
three host companies with OIDs (Leeds, Lille, Graz). A1->P1 (Leeds) is not Erasmus+
eligible; A2->P2 (Lille, 16 weeks) is long-term (ErasmusPro); A3->P3 (Graz, 4 weeks) is
short-term.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobility.io.specs import empty_frame

OIDS = {"HWK Test": "E10000001", "C1": "E20000001", "C2": "E20000002", "C3": "E20000003"}


def frame(kind: str, rows: list[dict]) -> pd.DataFrame:
    template = empty_frame(kind)
    return pd.DataFrame(rows, columns=template.columns).astype(dict(template.dtypes))


def apprentice(i: str, city: str, lat: float, lon: float, **extra) -> dict:
    row = {"apprentice_id": i, "name": f"Lea Person{i}", "email": f"{i.lower()}@example.org",
           "date_of_birth": pd.Timestamp("2005-05-05"), "sending_organisation": "HWK Test",
           "home_city": city, "home_country": "DE", "home_lat": lat, "home_lon": lon,
           "trade": "Tischler/in", "isco08": "7522", "training_year": 2,
           "languages": "de:native;en:B2;fr:A2",
           "available_from": pd.Timestamp("2027-03-01"), "available_to": pd.Timestamp("2027-12-31"),
           "desired_weeks": 4, "preferred_countries": "", "max_distance_km": np.nan,
           "fewer_opportunities": False, "synthetic": True}
    row.update(extra)
    return row


def placement(i: str, company: str, city: str, country: str, lat: float, lon: float,
              **extra) -> dict:
    row = {"placement_id": i, "company_id": company, "trade": "Tischler/in", "isco08": "7522",
           "city": city, "country": country, "lat": lat, "lon": lon, "slots": 2,
           "start": pd.Timestamp("2027-04-01"), "end": pd.Timestamp("2027-09-30"),
           "min_weeks": 2, "max_weeks": 20, "languages": "en:B1", "accommodation": True,
           "accepts_related_trades": False, "synthetic": True}
    row.update(extra)
    return row


def tables() -> dict[str, pd.DataFrame]:
    apprentices = frame("apprentices", [
        apprentice("A1", "Dortmund", 51.51494, 7.466),
        apprentice("A2", "Köln", 50.93333, 6.95, fewer_opportunities=True, desired_weeks=16),
        apprentice("A3", "Stuttgart", 48.78232, 9.17702, name="=HYPERLINK(\"x\")"),
        apprentice("B1", "Bonn", 50.73438, 7.09549, sending_organisation="IHK Anders",
                   name="Other Org"),
    ])
    placements = frame("placements", [
        placement("P1", "C1", "Leeds", "GB", 53.79648, -1.54785),
        placement("P2", "C2", "Lille", "FR", 50.63391, 3.05512, languages="fr:A2"),
        placement("P3", "C3", "Graz", "AT", 47.06667, 15.45, languages="de:B1"),
    ])
    companies = frame("companies", [
        {"company_id": c, "name": n, "city": city, "country": cc, "lat": 0.0, "lon": 0.0,
         "sector": "", "contact_email": f"info@{c.lower()}.example", "website": "",
         "oid": OIDS[c], "synthetic": True}
        for c, n, city, cc in [("C1", "Joinery Ltd", "Leeds", "GB"),
                               ("C2", "-Atelier Bois", "Lille", "FR"),
                               ("C3", "Tischlerei Graz", "Graz", "AT")]
    ])
    pairs = pd.DataFrame({"apprentice_id": ["A1", "A2", "A3"],
                          "placement_id": ["P1", "P2", "P3"]})
    return {"apprentices": apprentices, "placements": placements, "companies": companies,
            "pairs": pairs}


def seeded_engine(tmp_path, *, status: str = "confirmed"):
    """A database with the tables, HWK Test's OID and the three pairs on the shortlist."""
    from mobility.storage import create_schema, new_engine
    from mobility.storage.organisations import save_organisation
    from mobility.storage.shortlist import set_shortlist_status
    from mobility.storage.tables import upsert_table

    engine = new_engine(f"sqlite:///{tmp_path / 'paper.db'}")
    create_schema(engine)
    data = tables()
    for kind in ("companies", "placements", "apprentices"):
        upsert_table(engine, kind, data[kind])
    save_organisation(engine, "HWK Test", oid=OIDS["HWK Test"], user="admin")
    for a, p in zip(data["pairs"]["apprentice_id"], data["pairs"]["placement_id"], strict=True):
        set_shortlist_status(engine, a, p, status, user="mueller")
    return engine
