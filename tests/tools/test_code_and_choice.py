"""Groq's code_interpreter beside the function tools, on gpt-oss only, and the Tools choice saved
with the conversation."""

from __future__ import annotations

import json

from controller.memory_chat import MemoryChatController
from controller.simple_chat import SimpleChatController
from models.tool_step import ToolChoice
from tests.tools.conftest import run, tool_names


def test_code_runs_in_groqs_sandbox_beside_the_function_tools(agent, fake_groq):
    agent.set_tools(ToolChoice(web_search=True, code=True))
    run_code = {"type": "python", "arguments": json.dumps({"code": "print(6 * 7)"}), "output": "42\n",
                "code_results": [{"text": "42", "png": "aGVsbG8="}]}
    fake_groq.reply_after_tools_ran("6 × 7 = 42.", [run_code])
    text, steps = run(agent, "What is 6 times 7?")

    assert text == "6 × 7 = 42."
    body = fake_groq.chat_requests()[0]
    assert tool_names(body) == ["web_search", "open_page", "code_interpreter"]  # merged, not replaced
    step = agent.messages[-1].steps[0]
    assert (step.label, step.code, step.output, step.images, step.state) == (
        "Running Python", "print(6 * 7)", "42", ("aGVsbG8=",), "done")
    assert steps[0].state == "running"  # shown as it started, before its output


def test_code_alone_on_the_simple_page_and_not_for_other_models(tool_settings, fake_groq):
    simple = SimpleChatController(tool_settings)
    assert run(simple, "hi")[0] == "Echo: hi"
    assert "tools" not in fake_groq.chat_requests()[-1]  # off by default on the Simple page
    simple.set_tools(ToolChoice(code=True))
    run(simple, "hi")
    assert tool_names(fake_groq.chat_requests()[-1]) == ["code_interpreter"]
    simple.set_assistant(simple.assistant.__class__(model="qwen/qwen3.8-27b"))
    run(simple, "hi")
    assert "tools" not in fake_groq.chat_requests()[-1]  # Groq runs code on gpt-oss only


def test_the_tools_choice_is_saved_with_the_conversation(agent, fake_groq, store, tool_settings):
    assert agent.tools == ToolChoice(web_search=True)  # the memory page's default
    agent.set_tools(ToolChoice(web_search=False, code=True))
    run(agent, "hi")
    agent.save("Tools")
    again = MemoryChatController(tool_settings, store)
    again.load("Tools")
    assert again.tools == ToolChoice(web_search=False, code=True)
    run(again, "hi")
    assert tool_names(fake_groq.chat_requests()[-1]) == ["code_interpreter"]
    again.new_chat()
    assert again.tools == ToolChoice(web_search=True)
