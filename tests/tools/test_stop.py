"""Stop during a tool run stops it: the turn ends at once, the step that was running is kept and
marked stopped beside the finished ones, the question is kept, and no request reaches Groq after
the Stop (the page read that was under way ends at its own timeout, and the agent asks no more)."""

from __future__ import annotations

import threading

from controller.chat import NOTHING_RECEIVED
from models.store import to_markdown
from models.tool_step import ToolStep
from tests.tools.conftest import RAMEN


def answering_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "bnaGPT answer"]


def test_stop_during_a_page_read_ends_the_turn_and_keeps_the_steps(agent, fake_groq, web, store):
    slow = web.page("/slow", RAMEN, delay=3)  # longer than the fetch's 1 s timeout: it is still reading at Stop
    web.results = [{"title": "Ramen in Lisbon", "url": slow, "content": "The best ramen."}]
    fake_groq.call_tool("web_search", {"query": "best ramen in Lisbon"})
    fake_groq.call_tool("open_page", {"url": slow})
    fake_groq.reply_with("Never sent: the person stopped before.")
    before = set(answering_threads())

    stream = agent.stream_reply("Where is the best ramen in Lisbon?")
    for event in stream:
        if isinstance(event, ToolStep) and event.label.startswith("Reading") and event.state == "running":
            break
    stream.close()  # what the page does when Stop ends its run

    question, answer = agent.messages[-2:]
    assert (question.role, question.content, question.error) == ("user", "Where is the best ramen in Lisbon?", None)
    assert answer.role == "assistant" and answer.error == NOTHING_RECEIVED and answer.details.stopped
    assert [(step.kind, step.state) for step in answer.steps] == [("search", "done"), ("read", "stopped")]
    assert answer.steps[0].results == (("Ramen in Lisbon", slow),)
    assert "Stopped" in answer.steps[1].detail
    # Kept with the conversation, and never sent back as history (the turn has no answer).
    agent.save("Stopped")
    assert store.load("Stopped").messages[-1].steps == answer.steps
    assert "Reading 127.0.0.1" in to_markdown(store.load("Stopped"))  # and in its export

    for thread in set(answering_threads()) - before:  # the agent's run, winding down after its read
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert len(fake_groq.chat_requests()) == 2  # the search's and the read's calls; nothing after the Stop
    assert web.requests.count("/slow") == 1

    fake_groq.reply_with("Koya.")
    list(agent.stream_reply("Just tell me."))
    roles = [message["role"] for message in fake_groq.chat_requests()[-1]["messages"]]
    assert roles == ["system", "user"]  # the stopped turn is not history
