"""The Streamlit settings that protect the product stay in place and agree with the
package's own limits."""

from __future__ import annotations

import tomllib
from pathlib import Path

from mobility.io import UPLOAD_MAX_BYTES

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_streamlit_refuses_uploads_above_the_package_limit():
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == UPLOAD_MAX_BYTES
    assert config["server"]["enableXsrfProtection"] is True


def test_the_browser_gets_no_tracebacks():
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] in ("type", "none")
    assert config["browser"]["gatherUsageStats"] is False
