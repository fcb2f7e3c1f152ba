"""Page scripts, one per role or task. Each defines ``render()`` and runs it when
Streamlit executes the file (``__name__ == "__main__"``), so a page is both a script
for ``st.Page`` and an importable module for tests."""

from __future__ import annotations

from pathlib import Path

#: Folder of the page scripts (``st.Page`` takes their absolute paths).
PAGES_DIR = Path(__file__).resolve().parent


def page_path(name: str) -> Path:
    """Absolute path of the page script ``name`` (``"apprentice"``, ``"adviser"`` ...)."""
    path = PAGES_DIR / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no page script {path}")
    return path
