"""What the fake refuses before it answers a chat request, checked in the order Groq reports them."""

from dataclasses import dataclass

from tests.fake_groq_images import SeenImage, check_images
from tests.fake_groq_models import (
    DECOMMISSIONED,
    VISION_MODELS,
    context_window,
    find,
    is_chat,
    max_completion_tokens,
    reasoning_family,
)
from tests.fake_groq_tokens import TokenCounting, text_of

DEPRECATIONS_URL = "https://console.groq.com/docs/deprecations"
EFFORTS = {"gpt-oss": ("low", "medium", "high"), "qwen": ("none", "default")}
FORMATS = ("parsed", "raw", "hidden")


class Refusal(Exception):
    """An HTTP error answer in Groq's shape: {"error": {"message", "type", "code"[, "param"]}}."""

    def __init__(self, status: int, message: str, code: str | None = "invalid_request",
                 error_type: str = "invalid_request_error", param: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.error_type = status, message, code, error_type
        self.param, self.headers = param, headers or {}

    def error(self) -> dict:
        error = {"message": self.message, "type": self.error_type, "code": self.code}
        return error | ({"param": self.param} if self.param else {})


@dataclass
class Decision:
    """What the fake made of a valid chat request."""

    model: str
    prompt_tokens: int
    budget: int  # most completion tokens (reasoning included) the answer may use
    reasoning: str  # "none" (no reasoning at all), "parsed", "raw" or "hidden" (generated, not shown)
    images: tuple[SeenImage, ...] = ()  # the request's images, decoded

    @property
    def requested(self) -> int:
        """What rate limiting reserves: the prompt plus the whole budget."""
        return self.prompt_tokens + self.budget


def _given(body: dict, name: str) -> bool:
    return body.get(name) is not None


def check_model(body: dict, models: list[dict]) -> dict:
    """The table entry of the requested chat model, or a Refusal."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise Refusal(400, "`model` is required", param="model")
    entry = find(models, model)
    if entry is None and model in DECOMMISSIONED:
        raise Refusal(400, f"The model `{model}` has been decommissioned and is no longer supported. Please refer "
                      f"to {DEPRECATIONS_URL} for a recommendation on which model to use instead.",
                      code="model_decommissioned")
    if entry is None:
        raise Refusal(404, f"The model `{model}` does not exist or you do not have access to it.",
                      code="model_not_found")
    if not is_chat(model):
        # Groq's exact wording for this case is not public; code and type match its other model errors.
        raise Refusal(400, f"The model `{model}` does not support chat completions.", code="model_not_supported")
    return entry


def check_messages(body: dict, model: str) -> tuple[list[dict], list[SeenImage]]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise Refusal(400, "`messages` must be a non-empty array of message objects", param="messages")
    return messages, check_images(messages, model in VISION_MODELS, Refusal)


def json_mode(body: dict, messages: list[dict], json_streaming: bool) -> str | None:
    """The response_format type asked for, after Groq's checks on it."""
    response_format = body.get("response_format")
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind not in ("json_object", "json_schema"):
        return None
    if body.get("stream") and not json_streaming:
        raise Refusal(400, '"response_format" does not support streaming', param="response_format")
    if kind == "json_object" and not any("json" in text_of(m.get("content")).lower() for m in messages):
        raise Refusal(400, "'messages' must contain the word 'json' in some form, to use 'response_format' of "
                      "type 'json_object'.", param="messages")
    return kind


def reasoning_mode(body: dict, model: str, json_kind: str | None) -> str:
    """How the model reasons for this request, after Groq's checks on the reasoning parameters."""
    family = reasoning_family(model)
    effort, fmt, include = body.get("reasoning_effort"), body.get("reasoning_format"), body.get("include_reasoning")
    if family is None or (family == "gpt-oss" and fmt is not None):
        name = "reasoning_format" if fmt is not None else "reasoning_effort"
        if _given(body, name):
            raise Refusal(400, f"`{name}` is not supported with this model", param=name)
        return "none"
    if effort is not None and effort not in EFFORTS[family]:
        allowed = ", ".join(f"`{e}`" for e in EFFORTS[family])
        raise Refusal(400, f"`reasoning_effort` must be one of {allowed}", param="reasoning_effort")
    if fmt is not None and include is not None:
        # Groq documents the two as mutually exclusive; the wording here is ours.
        raise Refusal(400, "`include_reasoning` and `reasoning_format` cannot be used together",
                      param="reasoning_format")
    if fmt is not None and fmt not in FORMATS:
        raise Refusal(400, "`reasoning_format` must be one of `parsed`, `raw` or `hidden`", param="reasoning_format")
    if fmt == "raw" and json_kind:
        raise Refusal(400, "`reasoning_format` `raw` is not supported with JSON mode", param="reasoning_format")
    if effort == "none":
        return "none"
    if fmt is not None:
        return fmt
    if include is not None:
        return "parsed" if include else "hidden"
    return "raw" if family == "qwen" and not json_kind else "parsed"


def check_budget(body: dict, entry: dict, prompt_tokens: int) -> int:
    """The answer budget: max_completion_tokens, else max_tokens, else the model's own maximum."""
    name = next((n for n in ("max_completion_tokens", "max_tokens") if _given(body, n)), None)
    most = max_completion_tokens(entry)
    budget = body[name] if name else most
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        raise Refusal(400, f"`{name}` must be a positive integer", param=name)
    if budget > most:
        raise Refusal(400, f"`{name}` must be less than or equal to `{most}`, the maximum value for `{name}` is "
                      "less than the `context_window` for this model", param=name)
    if prompt_tokens + budget > context_window(entry):
        raise Refusal(400, "Please reduce the length of the messages or completion.",
                      code="context_length_exceeded", param="messages")
    return budget


def check(body: dict, models: list[dict], counting: TokenCounting, json_streaming: bool = False) -> Decision:
    """The fake's reading of a chat request, or a Refusal saying what Groq would answer instead."""
    entry = check_model(body, models)
    model = entry["id"]
    messages, images = check_messages(body, model)
    from tests.fake_groq_tools import check_tools  # it imports Refusal from here

    check_tools(body, model)
    mode = reasoning_mode(body, model, json_mode(body, messages, json_streaming))
    prompt_tokens = counting.prompt_tokens(messages, sum(image.tokens for image in images))
    return Decision(model, prompt_tokens, check_budget(body, entry, prompt_tokens), mode, tuple(images))
