"""Matching apprentices to placements abroad: explained scores, recommendations, and
stable or optimal allocation of scarce places.

>>> from mobility.matching import Matcher, MatchSettings, TradeMapper
>>> Matcher(w_twin_town=0.4).get_params()
{'w_twin_town': 0.4}

See :mod:`mobility.matching.matcher` for a complete example and ``docs/matching.md``
for what the scores mean.
"""

from mobility.matching.matcher import METHODS, Allocation, Matcher
from mobility.matching.scores import MatchSettings
from mobility.matching.trade_text import TradeMapper

__all__ = ["METHODS", "Allocation", "MatchSettings", "Matcher", "TradeMapper"]
