"""Mapping free-text trade names onto the taxonomy, with a confidence.

People type "Elektrikerin Gebäude", "KFZ Mechaniker" or "electrican". Names the
taxonomy knows (any synonym or gender form, :func:`~mobility.reference.trades.trade_catalog`)
are looked up exactly (confidence 1). Anything else goes through a small text model:
TF-IDF over character n-grams of the folded names (robust to typos, word order and
compounds) and the nearest known name by cosine similarity; the similarity is the
confidence, and below ``min_confidence`` the mapping is reported but not accepted.

Examples
--------
>>> mapper = TradeMapper().fit()
>>> row = mapper.map(["KFZ Mechatronikerin", "Elektronikerin Energie Gebaeudetechnik"]).iloc[1]
>>> row["isco08"], row["method"]
('7411', 'text model')
>>> bool(row["accepted"])
True
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from mobility.errors import ValidationError
from mobility.reference.trades import TradeCatalog, trade_catalog
from mobility.text import fold


class TradeMapper:
    """Map trade names to the taxonomy: exact lookup first, else TF-IDF nearest neighbour.

    Parameters
    ----------
    ngram_range : tuple of int
        Character n-gram lengths (within word boundaries) of the TF-IDF model.
    min_confidence : float
        Cosine similarity (0-1) from which a text-model mapping is accepted.

    Attributes
    ----------
    catalog_ : TradeCatalog
        The taxonomy mapped onto.
    aliases_ : list of (str, Trade)
        Every known name, the rows of the model.
    vectorizer_, neighbours_ :
        The fitted scikit-learn TF-IDF vectoriser and nearest-neighbour index.
    """

    def __init__(self, *, ngram_range: tuple[int, int] = (2, 4), min_confidence: float = 0.5):
        self.ngram_range = ngram_range
        self.min_confidence = min_confidence

    def fit(self, catalog: TradeCatalog | None = None) -> TradeMapper:
        """Learn the names of ``catalog`` (default: the shipped taxonomy)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.neighbors import NearestNeighbors

        if not 0.0 <= float(self.min_confidence) <= 1.0:
            raise ValidationError("min_confidence must be between 0 and 1")
        self.catalog_ = catalog or trade_catalog()
        self.aliases_ = self.catalog_.aliases()
        self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=self.ngram_range)
        matrix = self.vectorizer_.fit_transform([fold(name) for name, _ in self.aliases_])
        self.neighbours_ = NearestNeighbors(n_neighbors=1, metric="cosine").fit(matrix)
        return self

    def map(self, names: Iterable[object]) -> pd.DataFrame:
        """One row per input name: ``input, trade, isco08, matched_name, confidence,
        method`` ("taxonomy" or "text model") and ``accepted``.

        ``trade``/``isco08`` hold the best guess even when it is not accepted, so that a
        person can confirm it.
        """
        if not hasattr(self, "neighbours_"):
            self.fit()
        names = ["" if n is None or (isinstance(n, float) and np.isnan(n)) else str(n)
                 for n in names]
        rows: list[tuple | None] = []
        unknown: list[int] = []
        for i, name in enumerate(names):
            trade = self.catalog_.get(name)
            if trade is not None:
                rows.append((name, trade.name, trade.isco08, trade.name, 1.0, "taxonomy"))
            else:
                rows.append(None)
                unknown.append(i)
        if unknown:
            texts = [fold(names[i]) for i in unknown]
            distance, nearest = self.neighbours_.kneighbors(self.vectorizer_.transform(texts))
            for i, dist, idx in zip(unknown, distance[:, 0], nearest[:, 0], strict=True):
                alias, trade = self.aliases_[idx]
                confidence = 0.0 if not names[i].strip() else max(0.0, 1.0 - float(dist))
                rows[i] = (names[i], trade.name, trade.isco08, alias, round(confidence, 3),
                           "text model")
        frame = pd.DataFrame(rows, columns=["input", "trade", "isco08", "matched_name",
                                            "confidence", "method"])
        frame = frame.astype({"input": "string", "trade": "string", "isco08": "string",
                              "matched_name": "string", "confidence": "float64",
                              "method": "string"})
        frame["accepted"] = frame["confidence"] >= float(self.min_confidence)
        return frame
