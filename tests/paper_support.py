"""Small tables and a seeded database for the Beneficiary Module and document tests.

Three apprentices of "HWK Test" (Dortmund, Köln, Stuttgart) and one of "IHK Anders";
three host companies with OIDs (Leeds, Lille, Graz). A1->P1 (Leeds) is not Erasmus+
eligible; A2->P2 (Lille, 16 weeks) is long-term (ErasmusPro); A3->P3 (Graz, 4 weeks) is
short-term.
"""

from __future__ import annotations

import pandas as pd

from test_funding_matches import _apprentice, _placement
from test_funding_matches import _frame as frame

OIDS = {"HWK Test": "E10000001", "C1": "E20000001", "C2": "E20000002", "C3": "E20000003"}


def apprentice(i: str, city: str, lat: float, lon: float, **extra) -> dict:
    row = {"name": f"Lea Person{i}", "languages": "de:native;en:B2;fr:A2"}
    row.update(extra)
    return _apprentice(i, city, lat, lon, **row)


def tables() -> dict[str, pd.DataFrame]:
    apprentices = frame("apprentices", [
        apprentice("A1", "Dortmund", 51.51494, 7.466),
        apprentice("A2", "Köln", 50.93333, 6.95, fewer_opportunities=True, desired_weeks=16),
        apprentice("A3", "Stuttgart", 48.78232, 9.17702, name="=HYPERLINK(\"x\")"),
        apprentice("B1", "Bonn", 50.73438, 7.09549, sending_organisation="IHK Anders",
                   name="Other Org"),
    ])
    placements = frame("placements", [
        _placement("P1", "C1", "Leeds", "GB", 53.79648, -1.54785),
        _placement("P2", "C2", "Lille", "FR", 50.63391, 3.05512, languages="fr:A2"),
        _placement("P3", "C3", "Graz", "AT", 47.06667, 15.45, languages="de:B1"),
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
