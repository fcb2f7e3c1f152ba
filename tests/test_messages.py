"""Issue 11: every problem and error message the package words reaches the dashboard in
German (mobility.messages), found by reading the source, by reading bad files, and on
the pages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mobility.messages import _PLACEHOLDER, find_template, translate_message

SRC = Path(__file__).resolve().parents[1] / "src" / "mobility"
#: Only the command line words these (it stays English).
NOT_SHOWN_ON_PAGES = ("commands/", "cli.py", "__main__.py")
ERROR_CLASSES = {"MobilityError", "ValidationError", "NotFoundError", "GeocodingUnavailable",
                 "PermissionDenied", "ConflictError", "ConfigurationError", "Problem"}
SAMPLE = 12
#: Messages whose values are sentences of their own: a real one instead of the sample.
REAL_SAMPLES = {
    "{} {} ({})": "start_date 2026-03-02 to 2026-03-06 is 5 days, too short for 2 weeks "
                  "(weeks)",
}


# ---------------------------------------------------------------------------
# An independent reading of the source: every message argument, as a template
# ---------------------------------------------------------------------------

def _message_argument(call: ast.Call) -> ast.expr | None:
    func = call.func
    name = (func.attr if isinstance(func, ast.Attribute)
            else func.id if isinstance(func, ast.Name) else None)
    keywords = {k.arg: k.value for k in call.keywords}
    if name == "rows_where":
        return call.args[2] if len(call.args) > 2 else keywords.get("message")
    if (name == "header" and isinstance(func, ast.Attribute)) or name in ERROR_CLASSES:
        return call.args[0] if call.args else keywords.get("message")
    if (name == "append" and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name) and func.value.id == "notes"):
        return call.args[0]
    return None


class _Module:
    """One source file: its functions (to follow a message built by a helper)."""

    def __init__(self, tree: ast.Module) -> None:
        self.functions = {node.name: node for node in ast.walk(tree)
                          if isinstance(node, ast.FunctionDef)}

    def alternatives(self, node: ast.AST, scope: ast.AST, depth: int = 0) -> list[list]:
        """Every way ``node`` can read: lists of literal strings and placeholders
        (the ``ast.FormattedValue`` or expression a value comes from)."""
        if depth > 8:
            return [[node]]
        again = lambda n: self.alternatives(n, scope, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [[node.value]]
        if isinstance(node, ast.JoinedStr):
            result: list[list] = [[]]
            for part in node.values:
                if isinstance(part, ast.Constant):
                    options = [[part.value]]
                elif (part.conversion == -1 and part.format_spec is None
                      and isinstance(part.value, ast.IfExp | ast.Name | ast.JoinedStr
                                     | ast.Call)):
                    options = again(part.value)
                else:
                    options = [[part]]
                result = [a + b for a in result for b in options]
            return result
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return [a + b for a in again(node.left) for b in again(node.right)]
        if isinstance(node, ast.IfExp):
            return again(node.body) + again(node.orelse)
        if isinstance(node, ast.Lambda):
            return again(node.body)
        if isinstance(node, ast.Name):
            values = [a.value for a in ast.walk(scope) if isinstance(a, ast.Assign)
                      and any(isinstance(t, ast.Name) and t.id == node.id for t in a.targets)]
            if values and all(isinstance(v, ast.Constant | ast.JoinedStr | ast.BinOp | ast.IfExp
                                         | ast.Call) for v in values):
                return [alt for v in values for alt in again(v)]
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in self.functions):
            helper = self.functions[node.func.id]
            returned = [r.value for r in ast.walk(helper)
                        if isinstance(r, ast.Return) and r.value is not None]
            if returned and all(isinstance(v, ast.JoinedStr | ast.Constant | ast.IfExp)
                                for v in returned):
                return [alt for v in returned for alt in self.alternatives(v, helper, depth + 1)]
        return [[node]]


def _sample(part: ast.AST) -> str:
    if isinstance(part, ast.FormattedValue):
        value: object = SAMPLE
        if part.conversion == ord("r"):
            value = repr(str(SAMPLE))
        spec = ast.unparse(part.format_spec)[2:-1] if part.format_spec else ""
        return format(value, spec)
    return str(SAMPLE)


def scan_messages() -> dict[tuple[str, ...], str]:
    """{template pieces (literal text between values): a message made from it with sample
    values} for every message in the package that the pages can show."""
    found: dict[tuple[str, ...], str] = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(NOT_SHOWN_ON_PAGES):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = _Module(tree)
        scopes = [node for node in ast.walk(tree)
                  if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
        owner = {id(inner): scope for scope in scopes for inner in ast.walk(scope)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            argument = _message_argument(node)
            if argument is None:
                continue
            for alternative in module.alternatives(argument, owner.get(id(node), tree)):
                pieces = tuple(p for p in alternative if isinstance(p, str))
                if not "".join(pieces).strip():
                    continue  # a message passed on (translated where it was made)
                shape = "".join(p if isinstance(p, str) else "{}" for p in alternative)
                text = REAL_SAMPLES.get(shape) or "".join(
                    p if isinstance(p, str) else _sample(p) for p in alternative)
                found.setdefault((relative, shape), text)
    return {key: text for key, text in found.items()}


MESSAGES = scan_messages()


def test_the_scan_finds_the_messages_it_should():
    """The scan is the test's own reading of the source: it must see the known sites
    (so a silent scan cannot pass)."""
    shapes = {shape for _, shape in MESSAGES}
    assert len(MESSAGES) > 200
    for expected in ("{} is not a number", "... and {} more rows with this problem (like: {})",
                     "{} is not in the offline gazetteer for this country; check the spelling "
                     "or give {}/{}",
                     "the partnership {} - {} was changed by {} at {} UTC, reload",
                     "filled {}/{} for {} rows from the gazetteer"):
        assert expected in shapes


@pytest.mark.parametrize("where", sorted(MESSAGES), ids=lambda k: f"{k[0]}:{k[1][:60]}")
def test_every_message_in_the_source_has_its_german(where):
    english = MESSAGES[where]
    known = find_template(english)
    assert known is not None, f"no German for {english!r} ({where[0]})"
    # ... and from the right template: its fixed text is the source's, in order.
    source = re.escape(where[1]).replace(r"\{\}", ".*")
    fixed = [re.escape(piece) for piece in _PLACEHOLDER.split(known[0].english)[::3]]
    assert re.fullmatch(".*".join(fixed), where[1].replace("{}", "")) or re.fullmatch(
        source, known[0].english), (english, known[0].english)
    german = translate_message(english, "de")
    assert german != english, f"no German for {english!r} ({where[0]})"
    assert "{" not in german or "{" in english  # no value left unfilled
    assert translate_message(english, "en") == english



# ---------------------------------------------------------------------------
# Real problems: bad files read as the pages read them
# ---------------------------------------------------------------------------

def _english_pieces() -> list[str]:
    """Long fixed pieces of the English templates that their German does not keep: none
    may be left in a translated message (also not inside a wrapped one)."""
    from mobility.messages import templates

    return [tpl.anchor for tpl in templates()
            if len(tpl.anchor.strip()) >= 12 and tpl.anchor not in tpl.german]


def _register_towns() -> tuple[str, str]:
    """A name several German municipalities share and the gazetteer lacks, and one
    municipality's postcode with its name (both only the municipality register knows)."""
    import csv
    from collections import Counter

    from mobility.geo import gazetteer
    from mobility.paths import data_dir

    with open(data_dir() / "municipalities_de.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    counts = Counter(r["name"] for r in rows)
    shared = next(n for n, c in counts.items() if c >= 3 and gazetteer().get(n, "DE") is None)
    single = next(r for r in rows if counts[r["name"]] == 1
                  and gazetteer().get(r["name"], "DE") is None)
    return shared, f"{single['postcode']} {single['name']}"


def _bad_files() -> list[tuple[str, bytes]]:
    from test_io_read import (
        APPRENTICE_HEADER,
        APPRENTICE_ROW,
        DATA,
        PLACEMENT_HEADER,
        PLACEMENT_ROW,
        apprentices,
        with_cell,
    )

    corpus = [(path.name, path.read_bytes()) for path in sorted(DATA.rglob("*"))
              if path.is_file() and path.suffix in (".csv", ".xlsx", ".xls")]
    cells = [("home_lat", "north"), ("home_lon", "-190"), ("training_year", "5"),
             ("training_year", "2.5"), ("desired_weeks", "0"), ("max_distance_km", "-5"),
             ("languages", "en:B3"), ("languages", "english:B2"), ("languages", "qq:B2"),
             ("preferred_countries", "GB;England"), ("home_country", "England"),
             ("available_from", "31.02.2026"), ("available_to", "2026-02-01"),
             ("available_to", "2026-03-20"), ("email", "lea at example"), ("isco08", "75"),
             ("fewer_opportunities", "maybe"), ("name", ""), ("name", "Lea\x1b[31m Schmitz"),
             ("name", "x" * 1001), ("trade", "Raumfahrer"), ("trade", "Tischlr"),
             ("apprentice_id", "A\u200b9")]
    rows = [APPRENTICE_ROW]
    for number, (column, value) in enumerate(cells, start=2):
        rows.append(with_cell(APPRENTICE_ROW.replace("A-1", f"A-{number}", 1), column, value))
    for number, town in enumerate(("Nirgendwoburg", *_register_towns()), start=len(rows) + 2):
        row = with_cell(APPRENTICE_ROW.replace("A-1", f"A-{number}", 1), "home_city", town)
        rows.append(with_cell(with_cell(row, "home_lat", ""), "home_lon", ""))
    rows.append(with_cell(APPRENTICE_ROW, "home_lon", ""))  # A-1 again, one coordinate
    rows.append(APPRENTICE_ROW.replace("51.51494,7.466", "51,51494,7,466"))
    header = APPRENTICE_HEADER.replace("trade,", "beruf,").replace("home_city", "home_ctiy")
    assert ",2,de:native" in APPRENTICE_ROW  # training year 2
    many = [APPRENTICE_ROW.replace("A-1", f"M-{i}", 1).replace(",2,de:native", ",9,de:native")
            for i in range(1100)]  # more rows with one problem than are listed
    placements = "\n".join([PLACEMENT_HEADER, PLACEMENT_ROW,
                            PLACEMENT_ROW.replace("P-1", "P-2").replace(",3,8,", ",9,8,")])
    return [*corpus,
            ("cells.csv", apprentices(*rows)),
            ("header.csv", apprentices(APPRENTICE_ROW, header=header)),
            ("header_only.csv", APPRENTICE_HEADER.encode() + b"\n"),
            ("many.csv", apprentices(*many)),
            ("placements.csv", placements.encode()),
            ("brief.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
            ("big.csv", apprentices(APPRENTICE_ROW) + b"#" * 2000)]


def _read_all() -> list[tuple[str, str]]:
    from mobility.io import read_table

    said = []
    for name, data in _bad_files():
        kind = "placements" if name.startswith("placements") else "apprentices"
        result = read_table(data, kind, name=name, max_bytes=1_500_000,
                            known_company_ids={"C-2"})
        said += [(name, p.message) for p in result.problems]
        said += [(name, note) for note in result.notes]
    return said


def test_every_problem_reading_bad_files_reaches_the_page_in_german():
    said = _read_all()
    distinct = {message for _, message in said}
    assert len(distinct) > 60  # the corpus exercises many checks, not one
    pieces = _english_pieces()
    untranslated = []
    for name, message in sorted(set(said)):
        german = translate_message(message, "de")
        left = [piece for piece in pieces if piece in german]
        if german == message or left:
            untranslated.append((name, message, left))
    assert not untranslated, untranslated[:10]


# ---------------------------------------------------------------------------
# How values are carried over
# ---------------------------------------------------------------------------

def test_numbers_are_regrouped_only_where_the_package_grouped_them():
    grouped = "text of 12,345 characters is longer than the 1,000 allowed in one cell"
    assert translate_message(grouped, "de") == ("Text mit 12.345 Zeichen ist länger als die "
                                                "1.000 erlaubten Zeichen einer Zelle")
    # A cell is shown as it was typed, whatever its separators.
    assert translate_message("'1,5' is not a number", "de") == "'1,5' ist keine Zahl"
    assert translate_message("'{x}' is not a number", "de") == "'{x}' ist keine Zahl"


def test_a_wrapped_message_is_translated_inside_and_out():
    inner = "'Nirgendwoburg' is not in the offline gazetteer for this country; check the " \
            "spelling or give home_lat/home_lon"
    wrapped = f"... and 2,500 more rows with this problem (like: {inner})"
    german = translate_message(wrapped, "de")
    assert german == (f"... und 2.500 weitere Zeilen mit diesem Problem "
                      f"(z. B.: {translate_message(inner, 'de')})")
    assert "gazetteer" not in german and translate_message(wrapped, "en") == wrapped


def test_unknown_text_and_german_text_are_left_as_they_are():
    for text in ("Das Profil ist unvollständig.", "a message nobody wrote", ""):
        assert translate_message(text, "de") == text


def test_a_catalogue_entry_naming_a_value_the_english_lacks_is_refused():
    from mobility.messages import compile_template

    with pytest.raises(ValueError, match="names"):
        compile_template("{v} is odd", "{w} ist ungerade")
    with pytest.raises(ValueError, match="twice"):
        compile_template("{v} or {v}", "{v}")


def test_the_problems_table_is_sorted_and_worded_in_the_pages_language():
    from mobility.auth.guarded import NOT_YOURS
    from mobility.errors import Problem
    from mobility.ui.common import problems_frame

    problems = [Problem("'x' is not a number", file="b.csv", row=3, column="home_lat",
                        value="x"),
                Problem(NOT_YOURS, file="a.csv", row=4, column="apprentice_id"),
                Problem("file has a header but no data rows", file="a.csv", row=1)]
    german = problems_frame(problems, "de")
    assert german.columns.tolist() == ["Datei", "Zeile", "Spalte", "Wert", "Problem"]
    assert german["Datei"].tolist() == ["a.csv", "a.csv", "b.csv"]
    assert german["Zeile"].tolist() == [1, 4, 3]
    assert german["Spalte"].tolist() == ["", "Azubi-Nr.", "Breite (Wohnort)"]
    assert german["Problem"].tolist()[1:] == [
        "Diese Zeile gehört zu einer anderen Organisation oder nutzt eine dort vergebene ID; "
        "Sie dürfen nur Azubis Ihrer eigenen Organisation importieren.",
        "'x' ist keine Zahl"]
    english = problems_frame(problems, "en")
    assert english["Problem"].tolist()[2] == "'x' is not a number"
