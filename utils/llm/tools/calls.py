"""Tool calls as Groq makes them, fixed at the seam (GroqRequests.create calls these):

- Built-in tools (code_interpreter and browser_search on gpt-oss) ride beside the agent's function tools: LlamaIndex's
  `additional_kwargs["tools"]` would replace them, so they are merged into each request here.
- Past `tool_steps` calls in a turn the request says `tool_choice: "none"`, so the model answers
  with what it has instead of looping (LlamaIndex's own cap would end the turn with no answer).
- Text streamed before a tool call is held back from LlamaIndex: OpenAIAgent would take it for the
  whole answer and never run the tool (llama_index#15083). The person still sees it as it comes.
- Groq's `executed_tools` (its built-in tools' runs) become steps on the page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from models.tool_step import ToolStep
from utils.llm.tools.steps import begin_step, short_url

CODE_INTERPRETER = {"type": "code_interpreter"}
BROWSER_SEARCH = {"type": "browser_search"}
STEP_CAP_NOTE = "Step limit reached: answering with what was found so far"


def with_tools(kwargs: dict, builtin: list[dict], turn: Any, cap: int) -> dict:
    """The request's arguments with the built-in tools merged in and, past the cap, tools turned off."""
    tools = [*(kwargs.get("tools") or []), *builtin]
    if not tools:
        return kwargs
    kwargs = {**kwargs, "tools": tools}
    if turn.tool_calls >= cap:
        if kwargs.get("tool_choice") != "none":
            begin_step(turn, "note", STEP_CAP_NOTE, state="done")
        kwargs["tool_choice"] = "none"
    return kwargs


def plain_messages(messages: list) -> list:
    """The messages with the agent's tool calls as the JSON Groq takes: LlamaIndex keeps the SDK's
    streamed `ChoiceDeltaToolCall` objects in them, which neither serialise nor match Groq's shape."""
    return [_plain(message) if isinstance(message, dict) and message.get("tool_calls") else message
            for message in messages]


def _plain(message: dict) -> dict:
    calls = []
    for call in message["tool_calls"]:
        data = call.model_dump() if hasattr(call, "model_dump") else dict(call)
        function = data.get("function") or {}
        calls.append({"id": data.get("id"), "type": "function",
                      "function": {"name": function.get("name"), "arguments": function.get("arguments") or "{}"}})
    return {**message, "tool_calls": calls}


def tool_calls_first(chunks: Iterator[Any]) -> Iterator[Any]:
    """The stream as LlamaIndex should see it: any text before a tool call held back (and dropped
    when a call follows), so that OpenAIAgent notices the call."""
    held: list[Any] = []
    for chunk in chunks:
        delta = chunk.choices[0].delta if chunk.choices else None
        if held or (delta is not None and delta.content and not delta.tool_calls):
            if delta is not None and delta.tool_calls:
                for early in held:  # the talk before the call: the person saw it, the agent must not
                    if early.choices:
                        early.choices[0].delta.content = None
                    yield early
                held = []
                yield chunk
                continue
            held.append(chunk)
            continue
        yield chunk
    yield from _joined(held)


def _joined(chunks: list[Any]) -> Iterator[Any]:
    """`chunks` with each run of plain text made one chunk: held text reaches LlamaIndex all at once at the
    stream's end, and its per-chunk work (~25 µs) then held the GIL as the page drew the last words (B3)."""
    run: list[Any] = []
    for chunk in chunks:
        choice = chunk.choices[0] if chunk.choices else None
        if choice is not None and choice.delta.content and not choice.delta.tool_calls and not choice.finish_reason:
            run.append(chunk)
            continue
        if run:
            yield _one(run)
            run = []
        yield chunk
    if run:
        yield _one(run)


def _one(run: list[Any]) -> Any:
    joined = run[0]
    joined.choices[0].delta.content = "".join(chunk.choices[0].delta.content for chunk in run)
    return joined


class ExecutedTools:
    """One stream's built-in tool runs (Groq's `executed_tools`), shown as steps as they arrive."""

    def __init__(self, turn: Any) -> None:
        self.turn = turn
        self._steps: dict[Any, ToolStep] = {}

    def show(self, executed: list[dict]) -> None:
        for item in executed:
            if not isinstance(item, dict):
                continue
            key = item.get("index", len(self._steps))
            step = self._steps.get(key) or begin_step(self.turn, *_kind_and_label(item))
            self._steps[key] = step = _filled(step, item)
            self.turn.events.put(step)


def _arguments(item: dict) -> dict:
    try:
        arguments = json.loads(item.get("arguments") or "{}")
    except ValueError:
        return {"code": item.get("arguments") or ""}
    return arguments if isinstance(arguments, dict) else {}


def _kind_and_label(item: dict) -> tuple[str, str]:
    kind = str(item.get("type") or "")
    if "python" in kind or "code" in kind:
        return "code", "Running Python"
    if "open" in kind or "visit" in kind:  # browser_search reading a page ("browser.open")
        url = str(_arguments(item).get("url") or "")
        return "read", f"Reading {short_url(url)}" if url else "Reading a page"
    if "search" in kind or "browser" in kind:
        query = _arguments(item).get("query") or ""
        return "search", f"Searching the web: {query}" if query else "Searching the web"
    return "note", f"Groq ran {kind or 'a tool'}"


def _filled(step: ToolStep, item: dict) -> ToolStep:
    """The step with what Groq reported of its run so far (its output ends it)."""
    changes: dict[str, Any] = {}
    if step.kind == "code":
        changes["code"] = str(_arguments(item).get("code") or step.code)
        results = [result for result in item.get("code_results") or [] if isinstance(result, dict)]
        texts = [str(result["text"]) for result in results if result.get("text")]
        output = item.get("output")
        changes["output"] = "\n".join(texts) or (str(output) if output else step.output)
        changes["images"] = tuple(str(result["png"]) for result in results if result.get("png")) or step.images
    found = (item.get("search_results") or {}).get("results") if isinstance(item.get("search_results"), dict) else None
    if found:
        changes["results"] = tuple((str(result.get("title") or result.get("url")), str(result.get("url")))
                                   for result in found if isinstance(result, dict) and result.get("url"))
    finished = item.get("output") is not None or item.get("code_results") or found
    return step.ended("done" if finished else "running", **changes)
