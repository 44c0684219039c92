"""Text shown exactly as typed where Streamlit would read it as Markdown."""

from __future__ import annotations

import re

# Characters that Streamlit labels would read as Markdown, colour or emoji directives.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$<>])")


def escape_markdown(text: str) -> str:
    """Text shown exactly as typed inside a Streamlit label or Markdown call."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


# A fenced code block: ``` or ~~~ (three or more) opening a line, closed by the same fence.
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)\n(?P<code>.*?\n)?? {0,3}(?P=fence)[ \t]*$",
                    re.MULTILINE | re.DOTALL)


def fenced_parts(text: str) -> list[tuple[str | None, str]]:
    """`text` split into (None, plain text) and (language, code) for each closed fenced code block."""
    parts: list[tuple[str | None, str]] = []
    position = 0
    for fence in _FENCE.finditer(text):
        before = text[position:fence.start()].strip("\n")
        if before:
            parts.append((None, before))
        parts.append(((fence["info"].strip().split() or [""])[0], (fence["code"] or "").rstrip("\n")))
        position = fence.end()
    rest = text[position:].strip("\n")
    if rest:
        parts.append((None, rest))
    return parts
