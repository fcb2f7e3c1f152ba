"""The ASCII fast path of ``mobility.text.fold`` gives exactly what the full Unicode
steps give (it only skips steps that cannot change ASCII text)."""

from __future__ import annotations

import string
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from mobility.text import _UMLAUTS, _squash, fold, strip_accents


def _fold_slowly(text: str) -> str:
    lowered = unicodedata.normalize("NFC", str(text)).casefold().replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", lowered.translate(_UMLAUTS))
    return _squash("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@given(st.text(alphabet=string.printable, max_size=40))
def test_ascii_names_fold_as_the_full_unicode_steps_fold_them(text):
    assert fold(text) == _fold_slowly(text)
    assert strip_accents(text) == text


@given(st.text(max_size=20))
def test_any_text_folds_as_before(text):
    assert fold(text) == _fold_slowly(text)


def test_municipality_and_partner_names_fold_as_before():
    from mobility.reference.municipalities import municipality_register
    from mobility.reference.twinnings import load_partnerships

    names = list(municipality_register().table["name"].astype(str))
    names += list(load_partnerships()["partner_city"].astype(str))
    assert [fold(n) for n in names] == [_fold_slowly(n) for n in names]
