"""The adviser's desk: plain functions behind the match board (no Streamlit).

- :mod:`~mobility.desk.rules`: which hard rules a pair breaks, checked on its own (not
  through the matcher), for manual overrides.
- :mod:`~mobility.desk.plans`: names first, run comparison, the working plan (adopted
  run, overrides, confirmed placements) and the placement counts that follow it.
- :mod:`~mobility.desk.actions`: the same, on behalf of a signed-in principal
  (authorised, audited): storing and adopting runs, notes, overrides, import checks.
"""
