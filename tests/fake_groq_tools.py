"""Tool calling in the fake Groq, as Groq documents it: function tools and, on gpt-oss only, the
built-in code_interpreter and browser_search; tool calls streamed as `tool_calls` deltas (finish
reason "tool_calls"), a malformed or unknown call refused with 400 `tool_use_failed` and its
`failed_generation`, and the built-in tools' runs sent as `executed_tools`. Standard library only."""

import json
import re
import time
import uuid

from tests.fake_groq_answer import pieces_of
from tests.fake_groq_records import Step
from tests.fake_groq_rules import Refusal
from tests.fake_groq_sse import http_chunk, usage_for
from tests.fake_groq_tokens import count_tokens

BUILTIN = ("code_interpreter", "browser_search")
NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
TOOL_USE_FAILED = "Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details."
# What the fake's model says when a tool call was scripted but the request lets it call none.
ANSWER_WITHOUT_TOOLS = "From what I found so far: here is my answer."


class ToolScripts:
    """Mixed into FakeGroq: scripting tool calls, and the built-in tools' runs."""

    def call_tool(self, name: str, arguments: dict | str, text_before: str = "", reasoning: str | None = None,
                  tokens_per_second: float | None = None) -> None:
        """Answer the next request with a call of tool `name` (`text_before` streamed first, as a model may),
        a chunk every 1/`tokens_per_second` s when given."""
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        self._push(Step("tool_call", text=text_before, reasoning=reasoning, tool={"name": name, "arguments": raw},
                        tokens_per_second=tokens_per_second))

    def reply_after_tools_ran(self, text: str, executed_tools: list[dict], reasoning: str | None = None) -> None:
        """Answer with `text` after Groq ran its built-in tools, reported as `executed_tools`."""
        self._push(Step("reply", text=text, reasoning=reasoning, tool={"executed": executed_tools}))

    def fail_tool_use(self, failed_generation: str) -> None:
        """Refuse the next request as Groq refuses a malformed tool call (400 tool_use_failed)."""
        self._push(Step("fail", status=400, text=TOOL_USE_FAILED, code="tool_use_failed",
                        tool={"failed_generation": failed_generation}))


def offered_tools(body: dict) -> tuple[set[str], set[str]]:
    """(function names, built-in types) a request offers."""
    functions, builtins = set(), set()
    for tool in body.get("tools") or []:
        if tool.get("type") == "function":
            functions.add(tool["function"]["name"])
        else:
            builtins.add(tool.get("type"))
    return functions, builtins


def check_tools(body: dict, model: str) -> None:
    """Groq's checks on `tools`, `tool_choice` and the tool messages of the history."""
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list) or not all(isinstance(tool, dict) for tool in tools):
            raise Refusal(400, "`tools` must be an array of tool objects", param="tools")
        for index, tool in enumerate(tools):
            kind = tool.get("type")
            if kind in BUILTIN:
                if not model.startswith("openai/gpt-oss"):
                    raise Refusal(400, f"`{kind}` is not supported with this model", param=f"tools[{index}]")
                continue
            function = tool.get("function")
            if kind != "function" or not isinstance(function, dict):
                raise Refusal(400, f"tools[{index}].type must be `function`, `code_interpreter` or `browser_search`",
                              param=f"tools[{index}]")
            if not NAME_RE.match(str(function.get("name") or "")):
                raise Refusal(400, f"tools[{index}].function.name is invalid", param=f"tools[{index}]")
            if "parameters" in function and not isinstance(function["parameters"], dict):
                raise Refusal(400, f"tools[{index}].function.parameters must be an object", param=f"tools[{index}]")
    choice = body.get("tool_choice")
    if choice is not None:
        if not tools:
            raise Refusal(400, "`tool_choice` is only allowed when `tools` are specified", param="tool_choice")
        if choice not in ("none", "auto", "required") and not isinstance(choice, dict):
            raise Refusal(400, "`tool_choice` must be none, auto, required or a named tool", param="tool_choice")
    called: set[str] = set()
    for index, message in enumerate(body.get("messages") or []):
        for call in message.get("tool_calls") or [] if message.get("role") == "assistant" else []:
            if not call.get("id") or not isinstance((call.get("function") or {}).get("arguments"), str):
                raise Refusal(400, f"messages[{index}].tool_calls: each call needs an id and string arguments",
                              param="messages")
            called.add(call["id"])
        if message.get("role") == "tool" and message.get("tool_call_id") not in called:
            raise Refusal(400, f"messages[{index}]: a tool message must answer an earlier tool call "
                          "(`tool_call_id` not found)", param="messages")


def failed_generation_error(step: Step) -> dict:
    return {"message": step.text, "type": "invalid_request_error", "code": "tool_use_failed",
            "failed_generation": step.tool["failed_generation"]}


def resolve(step: Step, body: dict) -> Step:
    """The step the fake's model really takes for this request: a tool call it cannot make (tools
    off, or tool_choice none) becomes a plain answer; one naming a tool not offered is refused."""
    if step.kind != "tool_call":
        return step
    functions, _ = offered_tools(body)
    if not functions or body.get("tool_choice") == "none":
        return Step("reply", text=ANSWER_WITHOUT_TOOLS, reasoning=step.reasoning)
    if step.tool["name"] not in functions:
        generation = json.dumps({"name": step.tool["name"], "arguments": step.tool["arguments"]})
        return Step("fail", status=400, text=f"Tool call validation failed: attempted to call tool "
                    f"'{step.tool['name']}' which was not in request.tools", code="tool_use_failed",
                    tool={"failed_generation": generation})
    return step


def executed_of(step: Step, body: dict) -> list[dict]:
    """The built-in tools' runs to report: only those the request offered."""
    _, builtins = offered_tools(body)
    runs = (step.tool or {}).get("executed") or []
    kinds = {"python": "code_interpreter", "code_interpreter": "code_interpreter", "search": "browser_search",
             "browser_search": "browser_search", "browser.search": "browser_search", "browser.open": "browser_search"}
    return [run for run in runs if kinds.get(run.get("type")) in builtins]


def tool_stream(handler, step: Step, decision, reasoning: list[str], headers: dict) -> None:
    """Stream a tool call (or an answer with executed tools) as Groq does, and note its usage."""
    content = pieces_of(step.text)
    call = step.tool if step.kind == "tool_call" else None
    executed = [] if call else executed_of(step, handler.record.body)
    generated = "".join(reasoning + content) + (call["arguments"] if call else "")
    completion = count_tokens(generated) + 10 * bool(call)
    usage = usage_for(decision.prompt_tokens, completion)
    handler.record.completion_tokens = completion
    base = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": decision.model}

    def event(delta: dict, finish: str | None = None, **extra) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return http_chunk(b"data: " + json.dumps({**base, "choices": [choice], **extra}).encode() + b"\n\n")

    chunks = [event({"role": "assistant", "content": ""})]
    chunks += [event({"reasoning": piece}) for piece in reasoning]
    for index, run in enumerate(executed):
        # First what Groq is running, then the same index again with its output.
        started = {key: run[key] for key in ("type", "arguments") if key in run}
        chunks.append(event({"executed_tools": [{"index": index, **started}]}))
        chunks.append(event({"executed_tools": [{"index": index, **run}]}))
    chunks += [event({"content": piece}) for piece in content]
    if call:
        arguments = call["arguments"]
        head = {"index": 0, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
                "function": {"name": call["name"], "arguments": ""}}
        chunks.append(event({"tool_calls": [head]}))
        third = max(1, len(arguments) // 3)
        for start in range(0, len(arguments), third):
            piece = {"index": 0, "function": {"arguments": arguments[start:start + third]}}
            chunks.append(event({"tool_calls": [piece]}))
    chunks.append(event({}, "tool_calls" if call else "stop", x_groq={"id": "req_fake", "usage": usage}, usage=usage))
    handler._start(200, {"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"} | headers)
    for chunk in [*chunks, http_chunk(b"data: [DONE]\n\n"), b"0\r\n\r\n"]:
        if step.tokens_per_second and handler.server.fake._stopping.wait(1 / step.tokens_per_second):
            return
        handler.wfile.write(chunk)
        handler.wfile.flush()
