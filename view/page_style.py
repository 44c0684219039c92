"""bnaGPT's own look and keyboard help on both pages: static/app.css, and static/app.js for what
Streamlit offers no setting for (the stop button's name, keyboard use of a conversation's menu,
keeping the reader's place when earlier messages are shown, following a streaming answer by jumps,
folding the sidebar on a phone)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
CLOSE_KEY = "page_style.close_sidebar"  # bumped to fold the sidebar once more
# Streamlit shows the sidebar over the page below this width.
CLOSE_SIDEBAR = """<script>
if (window.matchMedia("(max-width: 768px)").matches) {{
  window.parent.document.querySelector('[data-testid="stSidebar"][data-collapsed="false"] '
    + '[data-testid="stSidebarCollapseButton"] button')?.click();
}} // {nonce}
</script>"""


@cache
def _static(name: str, tag: str) -> str:
    """A static file inside its tag, read once per process rather than on every rerun."""
    return f"<{tag}>{(STATIC_DIR / name).read_text(encoding='utf-8')}</{tag}>"


def apply_page_style() -> None:
    """Add the app's styles and script to this run's page (drawn as nothing)."""
    st.html(_static("app.css", "style"))
    st.html(_static("app.js", "script"), unsafe_allow_javascript=True)
    nonce = st.session_state.pop(CLOSE_KEY, None)
    if nonce is not None:
        st.html(CLOSE_SIDEBAR.format(nonce=nonce), unsafe_allow_javascript=True)


def add_script(name: str) -> None:
    """Add static/`name` to this run's page as a script (drawn as nothing)."""
    st.html(_static(name, "script"), unsafe_allow_javascript=True)


def close_sidebar_on_phone() -> None:
    """Fold the sidebar away on a narrow screen, in this run or (from a callback) the next."""
    st.session_state[CLOSE_KEY] = st.session_state.get(f"{CLOSE_KEY}.count", 0) + 1
    st.session_state[f"{CLOSE_KEY}.count"] = st.session_state[CLOSE_KEY]
