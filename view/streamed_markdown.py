"""Markdown that streams in blocks (issue 20): text up to the last safe boundary
(models.markdown_blocks) is drawn once, as its own Markdown element, and never sent again; only the
unfinished block after it is drawn again as text comes in. Drawing the whole text at every batch
sent the answer so far each time and had the browser parse all of it again: a cost that grew with
the square of the answer's length."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import streamlit as st

from models.markdown_blocks import finished_length

# Finished blocks are drawn in groups, each a container of its own. The browser draws again every
# element of a container whose content changed: with all blocks side by side, each batch cost as much
# as the whole answer so far, while an unchanged group is skipped whole (B10).
BLOCKS_PER_GROUP = 16


class _Groups:
    """Elements one after another in groups of at most BLOCKS_PER_GROUP, in the container made first."""

    def __init__(self) -> None:
        self._box = st.container()
        self._group, self._count = None, 0

    def slot(self):
        """A new element after all the others."""
        return self._next().empty()

    def markdown(self, text: str):
        """A new Markdown element after all the others; drawing on what it returns replaces it."""
        return self._next().markdown(text)

    def _next(self):
        if self._group is None or self._count == BLOCKS_PER_GROUP:
            self._group, self._count = self._box.container(), 0
        self._count += 1
        return self._group


class MarkdownInBlocks:
    """Text handed in piece by piece (`add`), drawn in blocks in the container it was made in."""

    def __init__(self) -> None:
        self._groups = _Groups()
        self._slot = None  # the unfinished block's element
        self._text, self._done = "", 0  # all the text, and how much of it is drawn as finished blocks

    def add(self, text: str) -> None:
        self._text += text
        rest = self._text[self._done:]
        cut = finished_length(rest)
        if cut:  # the unfinished block's element becomes the finished blocks', drawn for good
            self._draw(rest[:cut])
            self._slot, self._done, rest = None, self._done + cut, rest[cut:]
        if rest.strip():
            self._draw(rest)

    def _draw(self, text: str) -> None:
        """Draw the unfinished block's element (a new one after a finished block): one message each."""
        if self._slot is None:
            self._slot = self._groups.markdown(text)
        else:
            self._slot.markdown(text)


class _Finished(Exception):
    """Ends an unfinished block's st.write_stream once the block is finished (its element is then
    drawn whole), before write_stream would send that block once more as its final state."""


def write_stream_in_blocks(pieces: Iterable[str]) -> str:
    """Draw streamed text as st.write_stream does (unclosed **bold** or `code` shown closed while
    they stream), one write_stream per unfinished block; the whole text, as write_stream returns."""
    return _Blocks(iter(pieces)).write()


class _Blocks:
    def __init__(self, pieces: Iterator[str]) -> None:
        self._pieces = pieces
        self._text, self._done = "", 0
        self._over = False

    def write(self) -> str:
        groups = _Groups()
        while not self._over:
            slot, began = groups.slot(), self._done
            try:
                slot.write_stream(self._unfinished())
            except _Finished:
                slot.markdown(self._text[began:self._done])
        return self._text

    def _unfinished(self) -> Iterator[str]:
        """The unfinished block's text as it grows; raises _Finished once blocks are finished."""
        if self._text[self._done:]:
            yield self._text[self._done:]  # what the last batch brought after the finished blocks
        for piece in self._pieces:
            self._text += piece
            cut = finished_length(self._text[self._done:])
            if cut:
                self._done += cut
                raise _Finished
            yield piece
        self._over = True
