"""Showing people's text on a page without letting it become markup.

Names, organisations and notes come from uploads and forms. Streamlit never renders raw
HTML unless ``unsafe_allow_html=True`` (which no page may use with such text), but
``st.markdown``, ``st.caption``, ``st.info`` and friends do render Markdown: a name like
``[click](http://evil)`` or ``![](http://tracker/pixel)`` would become a link or an
image fetched from elsewhere. :func:`escape_markdown` makes such text literal.

Examples
--------
>>> escape_markdown("[click](http://x) *Anna* <b>")
'\\\\[click\\\\]\\\\(http\\\\://x\\\\) \\\\*Anna\\\\* &lt;b&gt;'
"""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$:])")


def escape_markdown(text: object) -> str:
    """``text`` with every Markdown control character backslash-escaped and ``< > &``
    turned into entities, so it shows literally in ``st.markdown`` and relatives."""
    plain = html.escape(str(text), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain)


def escape_label(text: object) -> str:
    """``text`` made literal for a widget *label* (``st.button``, ``st.checkbox``,
    ``st.expander``...). Labels render a subset of Markdown (bold, links, images shown
    as icons) but no HTML, so only the Markdown control characters are escaped; ``<``
    stays ``<`` rather than becoming ``&lt;`` on the button.

    >>> print(escape_label("![x](http://t/p.png) <P1>"))
    \\!\\[x\\]\\(http\\://t/p\\.png\\) <P1\\>
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
