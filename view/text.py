"""Text shown exactly as typed where Streamlit would read it as Markdown."""

from __future__ import annotations

import re

# Characters that Streamlit labels would read as Markdown, colour or emoji directives.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$<>])")


def escape_markdown(text: str) -> str:
    """Text shown exactly as typed inside a Streamlit label or Markdown call."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)
