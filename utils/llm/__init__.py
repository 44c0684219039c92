"""The LLM seam: everything that knows how bnaGPT asks Groq for an answer.

Engines (`build_simple_engine`, `build_agent`) are built from `Settings` and the chat's
`AssistantSettings`; an answer streams as plain events (`events.py`); each request is fitted to
the key's limits and the model's window (`limits.py`, `groq_requests.py`); Groq's models and what
they can do are known in `catalog.py` and `traits.py`. LlamaIndex stays behind `loading.py`, so
importing this package costs nothing at page load.
"""

from utils.llm.attachments import TurnFiles, image_reader, reads_images
from utils.llm.catalog import CATALOG, ModelCatalog, ModelChoice
from utils.llm.engines import Answerer, build_agent, build_simple_engine, count_ahead, memory_token_limit
from utils.llm.events import Finished, Reasoning, Waiting
from utils.llm.loading import token_counter, warm_up
from utils.llm.traits import DEFAULT_REASONING_EFFORT, GONE, REASONING_EFFORTS, traits_of

__all__ = [
    "CATALOG", "DEFAULT_REASONING_EFFORT", "GONE", "REASONING_EFFORTS", "Answerer", "Finished", "ModelCatalog",
    "ModelChoice", "Reasoning", "TurnFiles", "Waiting", "build_agent", "build_simple_engine", "count_ahead",
    "image_reader", "memory_token_limit", "reads_images", "token_counter", "traits_of", "warm_up",
]
