"""Erasmus+ organisation IDs (OID): "E" followed by exactly eight digits.

Kept apart from :mod:`mobility.storage.organisations` (which stores them) so that
reading and validating a file does not import the database layer.
"""

from __future__ import annotations

import re

OID_PATTERN = re.compile(r"E\d{8}")


def is_valid_oid(value: object) -> bool:
    """True for "E" followed by exactly 8 digits.

    >>> is_valid_oid("E10012345"), is_valid_oid("e10012345"), is_valid_oid("E1001234")
    (True, False, False)
    """
    return isinstance(value, str) and OID_PATTERN.fullmatch(value) is not None
