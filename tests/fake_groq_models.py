"""The fake's model table: what GET /models lists, and what the chat endpoint knows of each model."""

DEFAULT_MODEL = "openai/gpt-oss-120b"


def _model(model_id: str, owned_by: str, context_window: int, max_completion_tokens: int) -> dict:
    return {"id": model_id, "object": "model", "created": 1754000000, "owned_by": owned_by, "active": True,
            "context_window": context_window, "max_completion_tokens": max_completion_tokens}


MODELS = [
    _model("openai/gpt-oss-120b", "OpenAI", 131072, 65536),
    _model("openai/gpt-oss-20b", "OpenAI", 131072, 65536),
    _model("qwen/qwen3.8-27b", "Alibaba Cloud", 131072, 16384),
    _model("allam-2-7b", "SDAIA", 4096, 4096),
    _model("whisper-large-v3", "OpenAI", 448, 448),
    _model("whisper-large-v3-turbo", "OpenAI", 448, 448),
    _model("canopylabs/orpheus-v1-english", "Canopy Labs", 4000, 50000),
    _model("meta-llama/llama-prompt-guard-2-86m", "Meta", 512, 512),
]
DECOMMISSIONED = frozenset({
    "llama-3.1-8b-instant", "llama-3.3-70b-versatile", "meta-llama/llama-4-scout-17b-16e-instruct",
    "meta-llama/llama-4-maverick-17b-128e-instruct", "qwen/qwen3-32b", "moonshotai/kimi-k2-instruct-0905",
    "llama3-70b-8192",
})
VISION_MODELS = frozenset({"qwen/qwen3.8-27b"})
# Speech models live on /audio endpoints; Groq refuses them on chat.
NOT_CHAT_MARKERS = ("whisper", "orpheus", "tts")


def find(models: list[dict], model_id: str) -> dict | None:
    """The table entry for `model_id`, or None."""
    return next((m for m in models if isinstance(m, dict) and m.get("id") == model_id), None)


def is_chat(model_id: str) -> bool:
    return not any(marker in model_id for marker in NOT_CHAT_MARKERS)


def reasoning_family(model_id: str) -> str | None:
    """'gpt-oss' and 'qwen' reason, each with its own parameters; other models do not."""
    if model_id.startswith("openai/gpt-oss"):
        return "gpt-oss"
    if model_id.startswith("qwen/"):
        return "qwen"
    return None


def context_window(entry: dict) -> int:
    return int(entry.get("context_window") or 131072)


def max_completion_tokens(entry: dict) -> int:
    """A replaced table may omit the maximum; the context window then bounds the answer."""
    return int(entry.get("max_completion_tokens") or context_window(entry))
