"""Issue 11: every problem and error message the package words reaches the dashboard in
German (mobility.messages), found by reading the source, by reading bad files, and on
the pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mobility.messages import translate_message

SRC = Path(__file__).resolve().parents[1] / "src" / "mobility"
#: Only the command line words these (it stays English); the pages use mobility.i18n.
NOT_SHOWN_ON_PAGES = ("commands/", "cli.py", "ui/", "__main__.py")
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
                      and isinstance(part.value, ast.IfExp | ast.Name | ast.JoinedStr)):
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
            if values and all(isinstance(v, ast.Constant | ast.JoinedStr | ast.BinOp | ast.IfExp)
                              for v in values):
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
    german = translate_message(english, "de")
    assert german != english, f"no German for {english!r} ({where[0]})"
    assert "{" not in german or "{" in english  # no value left unfilled
    assert translate_message(english, "en") == english

