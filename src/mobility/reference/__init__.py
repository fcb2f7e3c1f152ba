"""Reference data shipped in ``data/``: trades, twinnings, programmes, Erasmus+ tables."""
