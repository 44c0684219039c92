"""The seam's fixes for OpenAIAgent over Groq: text before a tool call, tool_use_failed asked
again once, a call of a tool that does not exist, and the step cap."""

from __future__ import annotations

import pytest
from openai.types.chat import ChatCompletionChunk

from controller.chat import ChatError
from tests.tools.conftest import run, script_search_and_read
from utils.llm.tools.calls import tool_calls_first


def test_text_before_the_tool_call_does_not_end_the_turn(agent, fake_groq, web):
    # llama_index#15083: OpenAIAgent took such text for the whole answer and never ran the tool.
    # Paced like a model, so the agent reads the words before the call arrives (the race the bug needs).
    page = script_search_and_read(fake_groq, web, text_before="Let me look that up.", tokens_per_second=40)
    text, _ = run(agent, "Where is the best ramen in Lisbon?")

    assert len(fake_groq.chat_requests()) == 3 and web.searches() == ["best ramen in Lisbon"]
    assert text == f"Let me look that up.\n\nKoya is the best [1]({page})."
    # The words before the call were not sent back as the call's content.
    call = [m for m in fake_groq.chat_requests()[1]["messages"] if m.get("tool_calls")][0]
    assert not call.get("content")


def test_a_malformed_tool_call_is_asked_again_once(agent, fake_groq, web):
    script = '{"name": "web_search", "arguments": {"query": '
    fake_groq.fail_tool_use(script)
    fake_groq.reply_with("Answered after the retry.")
    assert run(agent, "search something")[0] == "Answered after the retry."
    assert len(fake_groq.chat_requests()) == 2

    fake_groq.fail_tool_use(script)
    fake_groq.fail_tool_use(script)
    with pytest.raises(ChatError, match="tool"):
        run(agent, "search again")
    assert len(fake_groq.chat_requests()) == 4  # once more, not forever


def test_a_tool_that_does_not_exist_ends_in_a_sentence(agent, fake_groq):
    # Groq itself refuses a call of a tool the request did not offer (tool_use_failed), twice here.
    fake_groq.call_tool("delete_files", {"path": "/"})
    fake_groq.call_tool("delete_files", {"path": "/"})
    with pytest.raises(ChatError) as failure:
        run(agent, "clean up")
    assert "tool" in str(failure.value) and "Traceback" not in str(failure.value)
    assert agent.messages[-1].error == str(failure.value)


def test_the_step_cap_makes_the_model_answer(agent, fake_groq, web):
    web.results = [{"title": "Loop", "url": web.url("/loop"), "content": "again"}]
    for _ in range(10):
        fake_groq.call_tool("web_search", {"query": "again"})
    text, steps = run(agent, "loop forever")

    bodies = fake_groq.chat_requests()
    assert len(web.searches()) == 3  # BNAGPT_TOOL_STEPS
    assert len(bodies) == 4 and bodies[-1]["tool_choice"] == "none"
    assert text  # an answer from what it had
    assert agent.messages[-1].steps[-1].label.startswith("Step limit reached")


def _chunk(content=None, finish=None, usage=None, tool_call=None) -> ChatCompletionChunk:
    choices = [] if usage else [{"index": 0, "finish_reason": finish, "delta": {
        "content": content, "tool_calls": [tool_call] if tool_call else None}}]
    return ChatCompletionChunk.model_validate({"id": "c", "object": "chat.completion.chunk", "created": 0,
                                               "model": "m", "choices": choices, "usage": usage})


def test_held_text_reaches_the_agent_as_one_chunk_in_order():
    # LlamaIndex's per-chunk work, all at the stream's end, held the GIL as the page drew the last words.
    usage = {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
    chunks = [_chunk(""), _chunk("Ko"), _chunk("ya "), _chunk("is best."), _chunk(finish="stop"), _chunk(usage=usage)]
    seen = list(tool_calls_first(iter(chunks)))

    assert [c.choices[0].delta.content if c.choices else None for c in seen] == ["", "Koya is best.", None, None]
    assert seen[2].choices[0].finish_reason == "stop" and seen[3].usage.total_tokens == 8


def test_text_followed_by_a_tool_call_still_reaches_the_agent_without_its_words():
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "web_search", "arguments": "{}"}}
    seen = list(tool_calls_first(iter([_chunk("Let me "), _chunk("look."), _chunk(tool_call=call),
                                       _chunk(finish="tool_calls")])))

    assert [c.choices[0].delta.content for c in seen] == [None, None, None, None]
    assert seen[2].choices[0].delta.tool_calls[0].function.name == "web_search"
