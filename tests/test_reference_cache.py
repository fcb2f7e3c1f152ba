"""The disk cache of derived reference data: a hit gives exactly what a fresh build
gives, any change to an input or to the code is a miss, a damaged file is rebuilt, and
no writable folder means no cache (never an error)."""

from __future__ import annotations

import csv
import json
import multiprocessing
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mobility import models
from mobility.matching import twins
from mobility.reference import cache, municipalities
from mobility.reference.municipalities import MunicipalityRegister, base_name
from mobility.reference.twinnings import load_partnerships
from mobility.text import fold

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A private cache folder, and no result of an earlier test held in memory."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("MOBILITY_CACHE_DIR", str(folder))
    _forget()
    yield folder / "derived"
    _forget()


def _forget() -> None:
    models._iso639_1.cache_clear()
    models.language_codes.cache_clear()
    models.language_name.cache_clear()
    municipalities.municipality_register.cache_clear()
    twins._aliases_source.cache_clear()
    twins._boroughs_source.cache_clear()
    twins._KEYS_IN_MEMORY.clear()


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the shipped reference files that a test may change."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("municipalities_de.csv", "partner_aliases.csv", "partner_boroughs.csv",
                 "twinnings.csv"):
        shutil.copy(DATA / name, folder / name)
    monkeypatch.setenv("MOBILITY_DATA_DIR", str(folder))
    return folder


def _files(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}-*.json"))


def _partnerships() -> pd.DataFrame:
    table = load_partnerships()
    return table[twins.partnership_levels(table) != 0].reset_index(drop=True)


# --- second implementations: the truth computed without the code under test ----------

def _index_by_hand(path: Path) -> dict[str, dict[str, list[str]]]:
    """The register's lookup tables straight from the CSV with the csv module."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # most populous first; the register sorts ascending and reverses, so municipalities
    # of equal population come out in reverse file order
    by_pop: dict[float, list[dict]] = {}
    for r in rows:
        by_pop.setdefault(float(r["population"] or 0), []).append(r)
    rows = [r for pop in sorted(by_pop, reverse=True) for r in reversed(by_pop[pop])]
    out: dict[str, dict[str, list[str]]] = {"name": {}, "base": {}, "postcode": {}}
    for r in rows:
        official = r["official_name"].split(",")[0]
        for k in {fold(r["name"]), fold(official), fold(r["official_name"])}:
            if r["ags"] not in out["name"].setdefault(k, []):
                out["name"][k].append(r["ags"])
        for k in {fold(base_name(r["name"])), fold(base_name(official))}:
            if r["ags"] not in out["base"].setdefault(k, []):
                out["base"][k].append(r["ags"])
        out["postcode"].setdefault(r["postcode"], []).append(r["ags"])
    return out


def _aliases_by_hand(path: Path) -> dict:
    with open(path, encoding="utf-8", newline="") as fh:
        return {(r["key"], r["country"]): (int(r["geonameid"]), float(r["lat"]),
                                           float(r["lon"])) for r in csv.DictReader(fh)}


def _partner_keys_fresh(table: pd.DataFrame, folder: Path = DATA) -> list:
    """The partner keys built without any cache, from files read here."""
    aliases = _aliases_by_hand(folder / "partner_aliases.csv")
    boroughs = twins._boroughs_source.__wrapped__()[1]
    return twins.build_partner_keys(
        twins._text(table, "partner_city").to_numpy(dtype=object),
        twins._text(table, "partner_country").str.upper().to_numpy(dtype=object),
        twins._text(table, "alt_names").to_numpy(dtype=object),
        twins._text(table, "located_as").to_numpy(dtype=object),
        twins._numbers(table, "partner_lat"), twins._numbers(table, "partner_lon"),
        aliases, boroughs)


# --- (a) a hit is a fresh build ------------------------------------------------------

def test_the_register_read_from_the_cache_equals_a_fresh_build_and_the_csv(cache_dir):
    built = municipalities.municipality_register()
    assert len(_files(cache_dir, "municipality-index")) == 1
    _forget()
    read = municipalities.municipality_register()  # from the file this time
    truth = _index_by_hand(DATA / "municipalities_de.csv")
    fresh = MunicipalityRegister(municipalities.read_municipalities_csv(
        DATA / "municipalities_de.csv"))  # no cache involved
    for register in (built, read):
        assert register._by_name == fresh._by_name == {
            k: tuple(v) for k, v in truth["name"].items()}
        assert register._by_base == fresh._by_base == {
            k: tuple(v) for k, v in truth["base"].items()}
        assert register._by_postcode == fresh._by_postcode == {
            k: tuple(v) for k, v in truth["postcode"].items()}
        assert register.codes == fresh.codes and register._shared == fresh._shared
        assert register.table.equals(fresh.table)
    names = [*fresh.table["name"].astype(str).tolist()[::50], "Frankfurt", "Hamm", "Köln"]
    assert [read.resolve(n) for n in names] == [fresh.resolve(n) for n in names]


def test_a_cache_hit_does_not_build(cache_dir, monkeypatch):
    municipalities.municipality_register()
    twins._partner_keys(_partnerships())
    _forget()

    def refuse(*args, **kwargs):
        raise AssertionError("built although the cache holds the result")

    monkeypatch.setattr(municipalities, "name_index", refuse)
    monkeypatch.setattr(twins, "build_partner_keys", refuse)
    municipalities.municipality_register()
    twins._partner_keys(_partnerships())


def test_partner_keys_and_twin_table_from_the_cache_equal_a_fresh_build(cache_dir):
    table = _partnerships()
    fresh = _partner_keys_fresh(table)
    assert twins._partner_keys(table) == fresh  # built and written
    _forget()
    assert twins._partner_keys(table) == fresh  # read back
    rng = np.random.default_rng(3)
    picks = rng.choice(len(table), 300, replace=False)
    city = table["partner_city"].astype(str).to_numpy()[picks]
    country = table["partner_country"].astype(str).to_numpy()[picks]
    lat = table["partner_lat"].to_numpy(float)[picks] + rng.normal(0, 0.2, 300)
    lon = table["partner_lon"].to_numpy(float)[picks]
    whole = load_partnerships()
    from_cache = twins.build_twin_table(whole, city, country, lat, lon)
    twins._KEYS_IN_MEMORY.clear()
    shutil.rmtree(cache_dir)
    rebuilt = twins.build_twin_table(whole, city, country, lat, lon)
    assert len(from_cache.twin_keys) > 100
    for field in ("twin_keys", "twin_status", "twin_via"):
        assert np.array_equal(getattr(from_cache, field), getattr(rebuilt, field))
    assert from_cache.homes.equals(rebuilt.homes)


def test_partner_aliases_read_by_arrow_equal_the_csv_module(tmp_path):
    assert twins.read_partner_aliases(DATA / "partner_aliases.csv") == _aliases_by_hand(
        DATA / "partner_aliases.csv")
    odd = tmp_path / "aliases.csv"
    odd.write_text('key,country,geonameid,lat,lon\n"a, b",GB,1,51.5,-0.12\n'
                   '"say ""hi""",FR,2,48.85341,2.3488\n,IT,3,0.1,1e-05\n'
                   'koeln,DE,4,50.93333,6.95\n', encoding="utf-8")
    assert twins.read_partner_aliases(odd) == _aliases_by_hand(odd)


def test_language_codes_and_names_from_the_cache_are_pycountrys(cache_dir, monkeypatch):
    import pycountry

    truth = {lang.alpha_2: lang.name for lang in pycountry.languages
             if hasattr(lang, "alpha_2")}
    assert models.language_codes() == frozenset(truth)  # built and written
    _forget()
    monkeypatch.setattr(models, "iso639_1_from_pycountry", lambda: 1 / 0)
    assert models.language_codes() == frozenset(truth)  # read back, not rebuilt
    for code in [*truth, "FR", "fra", "xx", "", " en"]:
        found = pycountry.languages.get(alpha_2=code)
        assert models.language_name(code) == (found.name if found else code)


# --- (b) a changed input or changed code is a miss -----------------------------------

def test_a_changed_municipality_file_is_not_answered_from_the_old_cache(cache_dir, data_copy):
    assert municipalities.municipality_register().resolve("Nirgendwo").how == "unknown"
    path = data_copy / "municipalities_de.csv"
    text = path.read_text(encoding="utf-8")
    assert '05978036,Unna,"Unna, Stadt"' in text
    path.write_text(text.replace('05978036,Unna,"Unna, Stadt"',
                                 '05978036,Nirgendwo,"Nirgendwo, Stadt"'), encoding="utf-8")
    _forget()
    changed = municipalities.municipality_register()
    assert changed.resolve("Nirgendwo") == municipalities.Resolution("05978036", "name")
    assert changed.resolve("Unna").ags is None
    assert len(_files(cache_dir, "municipality-index")) == 2


def test_a_changed_alias_borough_or_partnership_row_changes_the_partner_keys(cache_dir,
                                                                           data_copy):
    table = _partnerships()
    before = twins._partner_keys(table)
    row = int(np.flatnonzero(table["partner_city"].astype(str) == "Leeds")[0])
    assert ["g", 2644688, ""] in before[row]  # Leeds, by its gazetteer id

    aliases = data_copy / "partner_aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8").replace(
        "leeds,GB,2644688", "leeds,GB,9999999"), encoding="utf-8")
    _forget()
    assert ["g", 9999999, ""] in twins._partner_keys(table)[row]

    renamed = table.copy()
    renamed.loc[row, "partner_city"] = "Nowhere Borough"
    renamed.loc[row, "alt_names"] = ""
    assert ["n", "kirkstall|GB", "Nowhere Borough"] not in twins._partner_keys(renamed)[row]
    boroughs = data_copy / "partner_boroughs.csv"
    with open(boroughs, "a", encoding="utf-8", newline="") as fh:
        fh.write("Nowhere Borough,GB,Nowhere,Kirkstall,53.82,-1.6\r\n")
    _forget()
    assert ["n", "kirkstall|GB", "Nowhere Borough"] in twins._partner_keys(renamed)[row]
    assert twins._partner_keys(renamed) == _partner_keys_fresh(renamed, data_copy)


def test_changed_code_is_a_different_key(tmp_path):
    module = tmp_path / "derive.py"
    module.write_text("def f():\n    return 1\n")
    import importlib.util

    spec = importlib.util.spec_from_file_location("derive_probe", module)
    loaded = importlib.util.module_from_spec(spec)
    first = cache.code_fingerprint([loaded])
    module.write_text("def f():\n    return 2\n")
    assert cache.code_fingerprint([loaded]) != first
    assert cache.fingerprint("ab", "c") != cache.fingerprint("a", "bc")


def test_code_without_readable_source_is_never_cached(cache_dir):
    import types

    frozen = types.ModuleType("frozen_probe")  # no __file__, as in a frozen install
    key = cache.fingerprint(b"data", cache.code_fingerprint([frozen]))
    assert key is None
    assert cache.load_or_build("probe", key, lambda: {"a": (1, 2)}) == {"a": [1, 2]}
    assert cache.load_or_build("probe", key, lambda: {"a": (3,)}) == {"a": [3]}
    assert not cache_dir.exists() or not _files(cache_dir, "probe")


def test_a_file_written_for_another_key_is_never_read(cache_dir):
    cache.write_cached("probe", "k" * 64, {"answer": 1})
    stale = _files(cache_dir, "probe")[0]
    other = "k" * 32 + "x" * 32  # same file name (first 32 characters), other key
    assert cache.read_cached("probe", other) is None
    assert cache.load_or_build("probe", other, lambda: {"answer": 2}) == {"answer": 2}
    assert _files(cache_dir, "probe") == [stale]  # rewritten under the new key
    assert cache.read_cached("probe", "k" * 64) is None


# --- (c) a damaged file is ignored and rebuilt ---------------------------------------

def _damaged(raw: bytes, damage: str) -> bytes:
    head, _, body = raw.partition(b"\n")
    return {
        "truncated": raw[: len(raw) // 2],
        "flipped": head + b"\n" + body.replace(b'"', b"'", 1),
        "empty": b"",
        "garbage": b"\x00\xff" * 100,
        "no body": head,
        "other format": head.replace(b'"format": 1', b'"format": 99') + b"\n" + body,
    }[damage]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "garbage", "no body",
                                    "other format"])
def test_a_damaged_cache_file_is_ignored_and_rewritten(cache_dir, damage):
    value = {"rows": [["n", "leeds|GB", ""], ["g", 2644688, ""]], "text": "Köln"}
    key = cache.fingerprint("probe", damage)
    assert cache.load_or_build("probe", key, lambda: value) == value
    path = _files(cache_dir, "probe")[0]
    raw = path.read_bytes()
    path.write_bytes(_damaged(raw, damage))
    assert cache.read_cached("probe", key) is None
    assert cache.load_or_build("probe", key, lambda: value) == value
    assert path.read_bytes() == raw  # rewritten whole


def test_a_truncated_register_cache_is_rebuilt_with_the_same_answers(cache_dir):
    truth = municipalities.municipality_register()
    path = _files(cache_dir, "municipality-index")[0]
    raw = path.read_bytes()
    path.write_bytes(_damaged(raw, "truncated"))
    _forget()
    again = municipalities.municipality_register()
    assert again._by_name == truth._by_name and again._by_base == truth._by_base
    assert again._by_postcode == truth._by_postcode
    assert path.read_bytes() == raw


def test_valid_json_of_the_wrong_shape_with_a_matching_digest_is_rebuilt(cache_dir):
    # Not damage but a file from elsewhere that passes the checksum: decoding it into
    # a register fails, and that is a miss too.
    twins._partner_keys(_partnerships())
    path = _files(cache_dir, "partner-keys")[0]
    head = json.loads(path.read_bytes().partition(b"\n")[0])
    body = json.dumps({"value": [[["n"]]]}).encode()
    import hashlib

    head.update(bytes=len(body), sha256=hashlib.sha256(body).hexdigest())
    path.write_bytes(json.dumps(head).encode() + b"\n" + body)
    _forget()
    table = _partnerships()
    assert twins._partner_keys(table) == _partner_keys_fresh(table)


# --- (d) no writable folder: no cache, same answers ----------------------------------

def test_an_unwritable_cache_folder_means_no_cache_and_the_same_answer(tmp_path,
                                                                     monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MOBILITY_CACHE_DIR", str(blocker / "cache"))
    _forget()
    try:
        assert cache.cache_folder() is None
        table = _partnerships()
        assert twins._partner_keys(table) == _partner_keys_fresh(table)
        register = municipalities.municipality_register()
        assert register.resolve("Köln").ags == "05315000"
        assert not cache.write_cached("probe", "k" * 64, [1])
    finally:
        _forget()


def test_a_cache_folder_that_is_a_file_inside_is_no_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "derived").write_text("in the way")
    monkeypatch.setenv("MOBILITY_CACHE_DIR", str(folder))
    assert not cache.write_cached("probe", "k" * 64, [1])
    assert cache.load_or_build("probe", "k" * 64, lambda: [1, (2, 3)]) == [1, [2, 3]]
    assert not list(folder.glob("derived*/*"))


# --- concurrent writers --------------------------------------------------------------

def _build_in_child(folder: str, out: str) -> None:
    import os

    os.environ["MOBILITY_CACHE_DIR"] = folder
    _forget()
    keys = twins._partner_keys(_partnerships())
    register = municipalities.municipality_register()
    Path(out).write_text(json.dumps([keys, sorted(register._by_name.items())]))


def test_concurrent_processes_build_the_same_cache_and_never_read_half_a_file(tmp_path):
    folder = tmp_path / "cache"
    context = multiprocessing.get_context("fork")  # the modules are loaded already
    outs = [tmp_path / f"out{i}.json" for i in range(3)]
    children = [context.Process(target=_build_in_child, args=(str(folder), str(out)))
                for out in outs]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    results = [json.loads(out.read_text()) for out in outs]
    assert all(result == results[0] for result in results)
    table = _partnerships()
    assert results[0][0] == _partner_keys_fresh(table)
    derived = folder / "derived"
    assert [p.name.split("-")[0] for p in sorted(derived.iterdir())] == [
        "municipality", "partner"]  # no temporary files left behind
    for path in derived.iterdir():
        head, _, body = path.read_bytes().partition(b"\n")
        assert json.loads(head)["bytes"] == len(body)
