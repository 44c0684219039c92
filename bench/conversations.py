"""Long conversations for the benchmarks, shaped like ones the app saves: turns of about thirty
words, each answer with the details (model, tokens, time) that the app records and shows."""

from __future__ import annotations

from pathlib import Path

from models.answer_details import AnswerDetails
from models.message import Message
from models.store import ConversationStore

WORDS = ("the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing near "
         "four tall trees under bright winter skies").split()
MODEL = "openai/gpt-oss-120b"


def words(seed: int, count: int = 30) -> str:
    """`count` words, different for each seed."""
    return " ".join(WORDS[(seed * 7 + index) % len(WORDS)] for index in range(count))


def conversation(messages: int, last_marker: str = "") -> list[Message]:
    """`messages` alternating user and assistant messages; the last one ends with `last_marker`."""
    result = []
    for index in range(messages):
        text = words(index) + (f" {last_marker}" if last_marker and index == messages - 1 else "")
        if index % 2 == 0:
            result.append(Message("user", text))
        else:
            details = AnswerDetails(MODEL, prompt_tokens=40 * index, completion_tokens=30, seconds=0.06,
                                    tokens_per_second=500.0)
            result.append(Message("assistant", text, details=details))
    return result


def save_all(directory: Path, wanted: list[tuple[str, int, str]]) -> None:
    """Save each (name, message count, last marker) through the store, in order: the last is newest."""
    store = ConversationStore(directory)
    for name, count, marker in wanted:
        store.save(name, conversation(count, marker), model=MODEL, replace=True)
