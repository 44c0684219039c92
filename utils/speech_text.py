"""What Read aloud says: an answer's Markdown turned into what a person would hear (no symbols,
code blocks announced rather than read), cut into sentences that fit one text-to-speech request,
and a guess whether it is English at all (Orpheus reads anything else as gibberish)."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})([^\n`]*)\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_HTML = re.compile(r"</?[A-Za-z][^>]*>")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+", re.MULTILINE)
_QUOTE = re.compile(r"^ {0,3}(?:>\s?)+", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.MULTILINE)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=\S)\1")
_INLINE_CODE = re.compile(r"`+([^`]*)`+")
_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)
_SPACES = re.compile(r"[ \t]+")
_ABOUT = re.compile(r"~(?=\d)")
# A sentence ends at . ! ? or … (and any closing quotes or brackets) before a space, or at a line break.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+|\n+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ENGLISH_WORDS = frozenset(
    "the a an and or but of to in on at for with is are was were be been it this that these those you your "
    "i we they he she his her their our my me not no yes do does did can will would should could have has had "
    "as by from if then so what which who how when where there here all any some more most one two also than "
    "about into out up over only just very".split())


def _code_block(match: re.Match) -> str:
    language = (match[2].strip().split() or [""])[0]
    return f"\nHere is a code block{f' in {language}' if language else ''}; see it on screen.\n"


def speakable_text(markdown: str) -> str:
    """An answer as a person would hear it read: Markdown symbols, links' addresses and code left out."""
    text = _FENCE.sub(_code_block, markdown)
    text = _MATH.sub(" a formula, shown on screen. ", text)
    text = _IMAGE.sub(lambda match: match[1], text)
    text = _LINK.sub(lambda match: match[1], text)
    text = _URL.sub("a link", text)
    text = _HTML.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _RULE.sub("", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("", text)
    text = _INLINE_CODE.sub(lambda match: match[1], text)
    for _ in range(2):  # **_nested_** emphasis
        text = _EMPHASIS.sub(lambda match: match[2], text)
    text = _ABOUT.sub("about ", text).replace("\\", "")
    lines = (_spoken_line(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _spoken_line(line: str) -> str:
    """One line as said: a table row's cells with commas, and a full stop where a heading, item or row
    ends without one, so that the voice pauses there."""
    if "|" in line:
        line = ", ".join(cell.strip() for cell in line.strip().strip("|").split("|") if cell.strip())
    line = _SPACES.sub(" ", line).strip(" ,")
    return f"{line}." if line and line[-1].isalnum() else line


def sentences(text: str) -> list[str]:
    """`text` cut after each sentence and at each line break."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def _cut_long(sentence: str, limit: int) -> list[str]:
    """A sentence longer than `limit` cut at commas or semicolons, else between words, else anywhere."""
    pieces: list[str] = []
    rest = sentence
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = max(window.rfind(", "), window.rfind("; "), window.rfind(": "))
        cut = cut + 1 if cut > limit // 3 else window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    return [*pieces, rest] if rest else pieces


def speech_parts(text: str, limit: int) -> list[str]:
    """What to ask text-to-speech for, in order: the first sentence alone (so it plays at once), then
    the next sentences packed together up to `limit` characters a request (fewer requests)."""
    parts: list[str] = []
    for sentence in sentences(text):
        for piece in _cut_long(sentence, limit):
            if len(parts) > 1 and len(parts[-1]) + 1 + len(piece) <= limit:
                parts[-1] = f"{parts[-1]} {piece}"
            elif len(parts) == 1 and len(parts[0]) + 1 + len(piece) <= limit and len(parts[0]) < 40:
                parts[0] = f"{parts[0]} {piece}"  # a very short opening ("Sure.") waits for the next sentence
            else:
                parts.append(piece)
    return parts


def looks_english(text: str) -> bool:
    """A guess whether `text` is English: mostly Latin letters, and enough of its words the common English
    ones. Short texts (a name, a number) pass."""
    letters = [character for character in text if character.isalpha()]
    if letters and sum(1 for character in letters if character.isascii()) / len(letters) < 0.9:
        return False
    words = [word.lower() for word in _WORD.findall(text)]
    if len(words) < 8:
        return True
    return sum(1 for word in words if word in _ENGLISH_WORDS) / len(words) >= 0.12
