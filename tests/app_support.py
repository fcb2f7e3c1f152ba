"""Small hand-built data for the dashboard tests (AppTest and browser journeys).

Seven Dortmund apprentices (six of them carpenters, so one count is shown and the
other suppressed), two from Köln; host companies in Dortmund's twin towns Leeds and
Amiens and in Barcelona (Köln's twin town); everything marked synthetic. Loaded through
the real import path (:func:`mobility.io.read_table` then
:func:`mobility.storage.upsert_table`), so the tests see what an import would store.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"

COMPANIES = """company_id,name,city,country,sector,synthetic
C1,Leeds Joinery Ltd,Leeds,GB,carpentry,true
C2,Atelier Bois Amiens,Amiens,FR,carpentry,true
C3,Cuina Barcelona SL,Barcelona,ES,hospitality,true
"""

PLACEMENTS = (
    "placement_id,company_id,trade,city,country,slots,start,end,min_weeks,max_weeks,"
    "languages,accommodation,accepts_related_trades,synthetic\n"
    "P1,C1,Tischler/in,Leeds,GB,2,2026-03-01,2026-12-31,2,12,en:B1,true,false,true\n"
    "P2,C2,Tischler/in,Amiens,FR,1,2026-03-01,2026-12-31,2,12,fr:A2;en:B1,false,false,true\n"
    "P3,C3,Koch/Köchin,Barcelona,ES,3,2026-03-01,2026-12-31,2,12,es:A2;en:B1,true,false,true\n"
)

_APPRENTICE_HEADER = ("apprentice_id,name,email,sending_organisation,home_city,home_country,"
                      "trade,training_year,languages,available_from,available_to,desired_weeks,"
                      "preferred_countries,max_distance_km,fewer_opportunities,synthetic\n")


def apprentices_csv() -> str:
    rows = [f"A{i},Azubi {i},a{i}@example.org,HWK Dortmund,Dortmund,DE,Tischler/in,2,"
            f"de:native;en:B2,2026-04-01,2026-08-31,4,,,false,true" for i in range(1, 7)]
    rows.append("A7,Azubi 7,a7@example.org,HWK Dortmund,Dortmund,DE,Koch/Köchin,2,"
                "de:native;en:B1,2026-04-01,2026-08-31,4,,,false,true")
    rows += [f"K{i},Kölner {i},k{i}@example.org,IHK Köln,Köln,DE,Koch/Köchin,3,"
             f"de:native;es:B1;en:B1,2026-04-01,2026-08-31,4,ES,,true,true" for i in (1, 2)]
    return _APPRENTICE_HEADER + "\n".join(rows) + "\n"


def clear_streamlit_caches() -> None:
    """Empty Streamlit's data and resource caches: they are process-global, so a test
    that left them filled would hand the next one its engine and data (see the
    ``fresh_caches`` fixture in conftest.py)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def load_demo_into(url: str | None = None, *, with_apprentices: bool = True) -> None:
    """Create the schema in the database of ``MOBILITY_DATABASE_URL`` (or ``url``) and
    import the small data set (without the apprentices when a test imports them)."""
    from mobility.io import raise_for_problems, read_table
    from mobility.storage import create_schema, get_engine, upsert_table

    engine = get_engine(url)
    create_schema(engine)
    kinds = [("companies", COMPANIES), ("placements", PLACEMENTS)]
    if with_apprentices:
        kinds.append(("apprentices", apprentices_csv()))
    for kind, text in kinds:
        frame = raise_for_problems(read_table(text.encode(), kind, name=f"{kind}.csv"))
        upsert_table(engine, kind, frame, user="test", source=f"{kind}.csv")
