"""How tests/fake_groq.py counts tokens: cl100k_base, padded the way Groq's own tokenizers and chat
templates make real counts come out above the app's plain cl100k estimate."""

import functools
import importlib.util
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import tiktoken

_LOCK = threading.Lock()


@functools.cache
def _encoding() -> tiktoken.Encoding:
    # Offline, cl100k_base loads only from the copy LlamaIndex ships; point tiktoken at it as LlamaIndex
    # does, but only for this one load.
    llama_core = importlib.util.find_spec("llama_index.core").submodule_search_locations[0]
    with _LOCK:
        before = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(Path(llama_core) / "_static" / "tiktoken_cache")
        try:
            return tiktoken.get_encoding("cl100k_base")
        finally:
            if before is None:
                del os.environ["TIKTOKEN_CACHE_DIR"]
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = before


@functools.lru_cache(maxsize=1 << 16)
def count_tokens(text: str) -> int:
    """cl100k_base tokens in `text`; cached, since chat histories are sent again on every turn."""
    return len(_encoding().encode(text, disallowed_special=())) if text else 0


def head(text: str, tokens: int) -> str:
    """The longest start of `text` that is at most `tokens` cl100k tokens."""
    encoded = _encoding().encode(text, disallowed_special=())
    return text if len(encoded) <= tokens else _encoding().decode(encoded[:max(tokens, 0)])


def text_of(content) -> str:
    """The text of a message's content: a plain string, or a list of multimodal parts."""
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type", "text") == "text")
    return content if isinstance(content, str) else ""


@dataclass
class TokenCounting:
    """How the fake counts a prompt: more than cl100k alone, as a model's own tokenizer and chat template do."""

    text_factor: float = 1.1  # the model's tokenizer splits text finer than cl100k
    per_message: int = 4  # the chat template's role markers around each message
    per_request: int = 30  # the template's preamble (system header, date, reasoning settings)

    def prompt_tokens(self, messages: list, image_tokens: int = 0) -> int:
        """The prompt's tokens; its images' (counted by their size, tests/fake_groq_images.py) are added as given."""
        messages = [m for m in messages if isinstance(m, dict)]
        text = sum(count_tokens(text_of(m.get("content"))) for m in messages)
        return math.ceil(self.text_factor * text) + self.per_message * len(messages) + self.per_request \
            + image_tokens
