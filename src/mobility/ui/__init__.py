"""The Streamlit dashboard: the only package that imports streamlit.

``app.py`` (the router) builds the navigation over the page scripts in
:mod:`mobility.ui.pages`; every page reads its widgets, calls one or two package
functions and renders. Caching lives in :mod:`mobility.ui.cache` only; shared widgets
(language, errors, the synthetic-data banner) in :mod:`mobility.ui.common`.
"""
