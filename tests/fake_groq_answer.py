"""What the fake generates for one chat request: reasoning and answer pieces, cut to the answer budget."""

import re
from dataclasses import dataclass

from tests.fake_groq_tokens import count_tokens, head

TOKEN_RE = re.compile(r"\S+\s*|\s+")  # word-ish tokens that keep their spaces, so joining gives the text back


def pieces_of(text: str) -> list[str]:
    return TOKEN_RE.findall(text)


def _trim(pieces: list[str], chars: int) -> list[str]:
    """The pieces that make up the first `chars` characters of their joined text (the last one shortened)."""
    kept = []
    for piece in pieces:
        if chars <= 0:
            break
        kept.append(piece[:chars])
        chars -= len(piece)
    return kept


@dataclass
class Answer:
    """An answer as generated: `reasoning` and `content` as streamed, `hidden` reasoning never shown."""

    reasoning: list[str]
    content: list[str]
    hidden: list[str]
    finish_reason: str = "stop"  # "length" when the budget ran out first
    raw_reasoning_tokens: int = 0  # reasoning inside content's <think> block (raw format)

    @property
    def reasoning_tokens(self) -> int:
        return count_tokens("".join(self.reasoning + self.hidden)) + self.raw_reasoning_tokens

    @property
    def completion_tokens(self) -> int:
        return self.tokens_sent(len(self.reasoning), len(self.content))

    def tokens_sent(self, reasoning: int, content: int) -> int:
        """Completion tokens generated once `reasoning` and `content` pieces are out (hidden ones come first)."""
        parts = (self.hidden, self.reasoning[:reasoning], self.content[:content])
        return sum(count_tokens("".join(part)) for part in parts)


def plan(text: str, chunks: list[str] | None, reasoning: str, mode: str, budget: int) -> Answer:
    """Generate `reasoning` then `text` (sent as `chunks` if given) the way `mode` shows it, within `budget`.

    mode: "none" (no reasoning), "parsed" (its own field), "raw" (in <think> tags at the start of content) or
    "hidden" (generated and counted, never sent). Whatever passes the budget is never generated.
    """
    reasoning = "" if mode == "none" else reasoning
    content = chunks if chunks is not None else pieces_of(text)
    think = pieces_of(reasoning)
    if mode == "raw" and reasoning:
        content = ["<think>\n", *think, "\n</think>\n\n", *content]
    segments = [think if mode == "parsed" else [], content, think if mode == "hidden" else []]
    order = (2, 0, 1)  # hidden or parsed reasoning is generated before the answer
    left, finish = budget, "stop"
    for index in order:
        joined = "".join(segments[index])
        tokens = count_tokens(joined)
        if tokens > left:
            segments[index] = _trim(segments[index], len(head(joined, left)))
            finish, tokens = "length", left
        left -= tokens
    answer = Answer(segments[0], segments[1], segments[2], finish)
    if mode == "raw" and reasoning:
        answer.raw_reasoning_tokens = min(count_tokens(reasoning), budget)
    return answer
