"""Every example in the package's docstrings runs and shows what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mobility

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(mobility.__path__, prefix="mobility.")
    # The ui layer's examples need a running Streamlit script; its pages are tested by AppTest.
    if not info.name.startswith("mobility.ui") and info.name != "mobility.__main__"
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"
