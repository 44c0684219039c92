"""LlamaIndex, imported once and off the page's path: it takes seconds, so pages, views and
controllers import the seam freely and LlamaIndex comes in when the first engine is built, or
ahead of that in `warm_up()`."""

from __future__ import annotations

import gc
import importlib
import threading
from typing import Any

from utils.llm.history_window import TokenCounter

_counter: TokenCounter | None = None
_heap_frozen = False
# One thread at a time imports LlamaIndex: a warm-up thread and a first answer importing the
# same packages at once could trip Python's import deadlock detection.
_lock = threading.Lock()


def llama_index() -> Any:
    """utils/llm/groq_llm.py, which imports all of LlamaIndex that bnaGPT uses."""
    with _lock:
        return importlib.import_module("utils.llm.groq_llm")


def warm_up() -> None:
    """Import LlamaIndex and make its tokenizer now, so that the first answer does not wait for them;
    then keep what the process has loaded out of the garbage collector's full passes."""
    token_counter()
    llama_index().prepare_sdk()
    global _heap_frozen
    with _lock:
        if _heap_frozen:
            return
        _heap_frozen = True
    # Everything loaded at start lives as long as the process; frozen, the full collections that a
    # long answer sets off skip it instead of holding up the answer's last frame (B3).
    gc.freeze()


def token_counter() -> TokenCounter:
    """The process's cached counter over the tokenizer LlamaIndex's memory uses."""
    global _counter
    if _counter is None:
        counter = TokenCounter(llama_index().get_tokenizer())
        with _lock:
            _counter = _counter or counter
    return _counter
