"""Where a Markdown answer that is still growing can be cut so that its finished part, drawn on its
own, renders exactly as it will inside the whole answer (issue 20: each word crosses the network once).

The only cut taken is a blank line outside anything a blank line can sit inside (a code fence, a
math block, a raw HTML block), followed by a line at the left margin that cannot continue what came
before: never an indented line (a list item's next paragraph, indented code) and never a list
marker right after a list (the list would go on and turn loose, its items wrapped in paragraphs).
Everything else (tables, block quotes, setext headings, thematic breaks) ends at a blank line.
"""

from __future__ import annotations

import re

# A list item's marker: "-", "*" or "+", or up to nine digits and "." or ")", then a space or the line's end.
LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
# A fence (``` or ~~~, three or more) or a math block ($$), maybe after list markers or indented (in a
# list item); group 1 is the marker, 2 what follows it on the line.
FENCE = re.compile(r"(?:[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)*[ \t]*(`{3,}|~{3,}|\${2,})(.*)$")
# Raw HTML blocks that run on past blank lines (CommonMark types 1-5), with what ends each.
HTML_BLOCKS = ((re.compile(r" {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)", re.I),
                re.compile(r"</(?:script|pre|style|textarea)>", re.I)),
               (re.compile(r" {0,3}<!--"), re.compile(r"-->")),
               (re.compile(r" {0,3}<\?"), re.compile(r"\?>")),
               (re.compile(r" {0,3}<![A-Za-z]"), re.compile(r">")),
               (re.compile(r" {0,3}<!\[CDATA\["), re.compile(r"]]>")))
# A link reference or footnote definition: it changes links anywhere in the answer, before it too.
DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:")
# What a line still being written may begin with and yet turn out to be a list marker.
MAYBE_MARKER = frozenset("-*+0123456789")


def finished_length(text: str) -> int:
    """How many characters at the start of `text` (the answer so far) are whole blocks that render
    the same drawn alone as they will at the head of the finished answer; 0 when none are."""
    if not text[:1].strip():  # a leading indent or blank line is stripped from the whole answer only
        return 0
    fence: _Fence | None = None
    closer: re.Pattern | None = None  # what ends the raw HTML block that is open
    listy = False  # the block since the last blank line is (or may be) part of a list
    html = False  # ... or holds a raw HTML block, which runs to the next blank line
    after_blank = False
    cut, start = 0, 0
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):  # still being written: it can only tell that a cut before it is safe
            if after_blank and fence is None and closer is None and _starts_block(line, listy, complete=False):
                cut = start
            break
        if fence is not None:
            if fence.in_list and line.strip() and _indent(line) < fence.column:
                return cut  # the list item (and its fence) may end here: stop guessing
            if fence.closed_by(line):
                if fence.in_list and _indent(line) > fence.column:
                    return cut  # it closes the fence only if the list item's content starts far enough right
                fence = None
        elif closer is not None:
            closer = None if closer.search(line) else closer
        elif not line.strip():
            after_blank = True
        else:
            if after_blank:
                if _starts_block(line, listy, complete=True):
                    cut = start
                listy = html = after_blank = False
            listy = listy or line[0] in " \t" or bool(LIST_MARKER.match(line))
            fence, closer = _opens(line, listy)
            if html and (fence is not None or closer is not None):
                return cut  # a fence or comment may be a raw HTML block's text: stop guessing
            html = html or line.lstrip().startswith("<")
        start += len(line)
    return cut


def needs_whole(text: str) -> bool:
    """Whether `text` defines a link reference or footnote, which blocks drawn apart cannot share:
    such an answer is drawn again whole once it has ended."""
    fence: _Fence | None = None
    for line in text.splitlines():
        if fence is not None:
            fence = None if fence.closed_by(line) else fence
        elif DEFINITION.match(line):
            return True
        else:
            fence = _opens(line, listy=True)[0]
    return False


class _Fence:
    """An open code fence or math block: its marker, the column it starts at, whether in a list."""

    def __init__(self, marker: str, column: int, in_list: bool) -> None:
        self.marker, self.column, self.in_list = marker, column, in_list

    def closed_by(self, line: str) -> bool:
        """The same character, at least as many, nothing after, indented at most three columns (in a
        list item, from where its content starts: at most three left of the opening marker)."""
        stripped = line.strip()
        return (len(stripped) >= len(self.marker) and set(stripped) == {self.marker[0]}
                and _indent(line) <= (self.column if self.in_list else 0) + 3)


def _starts_block(line: str, listy: bool, complete: bool) -> bool:
    """Whether a line after a blank line starts a block of its own: at the left margin, and no list
    marker right after a list (of a line still being written, only what it cannot become counts)."""
    if not line[:1].strip():
        return False
    if not listy:
        return True
    return not LIST_MARKER.match(line) if complete else line[0] not in MAYBE_MARKER


def _opens(line: str, listy: bool) -> tuple[_Fence | None, re.Pattern | None]:
    """The fence a line opens, or the end of the raw HTML block it opens. Outside a list, a line
    indented four columns is indented code, never a fence."""
    match = FENCE.match(line.rstrip("\r\n"))
    if match and not (match[1][0] == "`" and "`" in match[2]) and (listy or _indent(line) < 4):
        return _Fence(match[1], match.start(1), in_list=listy), None
    for opener, closer in HTML_BLOCKS:
        if opened := opener.match(line):
            return None, None if closer.search(line, opened.end()) else closer
    return None, None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))
