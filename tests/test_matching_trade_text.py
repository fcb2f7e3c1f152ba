"""Free-text trade names mapped onto the taxonomy, with confidence."""

from __future__ import annotations

from mobility.matching import TradeMapper


def test_known_names_are_looked_up_exactly_with_full_confidence():
    row = TradeMapper().fit().map(["Tischlerin"]).iloc[0]
    assert row["trade"] == "Tischler/in" and row["confidence"] == 1.0
    assert row["method"] == "taxonomy" and row["accepted"]


def test_misspelled_and_reordered_names_map_to_the_right_trade():
    mapped = TradeMapper().fit().map(["electrican", "Elektronikerin Energie Gebaeudetechnik",
                                      "Anlagenmechaniker SHK"])
    assert mapped["isco08"].tolist() == ["7411", "7411", "7126"]
    assert (mapped["method"] == "text model").all()
    assert mapped["accepted"].all()
    assert (mapped["confidence"] < 1.0).any()


def test_nonsense_is_reported_with_low_confidence_and_not_accepted():
    mapped = TradeMapper(min_confidence=0.5).fit().map(["qqq xyz", ""])
    assert not mapped["accepted"].any()
    assert mapped.loc[1, "confidence"] == 0.0


def test_one_row_per_input_in_input_order():
    names = ["Koch", "Kochin Hotel", "Bäckerin"]
    assert TradeMapper().fit().map(names)["input"].tolist() == names
