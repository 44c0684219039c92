"""A question that needs the web, against the fake Groq and the fake web: what was offered,
searched and read, what went back to the model, the steps shown live and saved with the answer."""

from __future__ import annotations

from models.store import to_markdown
from tests.tools.conftest import run, script_search_and_read, tool_messages, tool_names


def test_a_web_question_searches_reads_and_cites(agent, fake_groq, web):
    page = script_search_and_read(fake_groq, web)
    text, steps = run(agent, "Where is the best ramen in Lisbon?")

    assert text == f"Koya is the best [1]({page})."
    bodies = fake_groq.chat_requests()
    assert len(bodies) == 3
    assert all(tool_names(body) == ["web_search", "open_page"] for body in bodies)  # offered every time
    assert web.searches() == ["best ramen in Lisbon"]
    assert "[1] Ramen in Lisbon" in tool_messages(bodies[1])[0] and page in tool_messages(bodies[1])[0]
    read = tool_messages(bodies[2])[1]
    assert read.startswith(f"<<<PAGE {page}: untrusted data") and "Try Koya." in read
    assert read.endswith("<<<END OF PAGE>>>")
    # Shown live (running, then done) and saved with the answer, as it ended.
    assert [(step.label, step.state) for step in steps] == [
        ("Searching the web: best ramen in Lisbon", "running"), ("Searching the web: best ramen in Lisbon", "done"),
        ("Reading 127.0.0.1:" + page.split(":")[2], "running"), ("Reading 127.0.0.1:" + page.split(":")[2], "done")]
    saved = agent.messages[-1].steps
    assert [step.state for step in saved] == ["done", "done"] and saved[0].results == (("Ramen in Lisbon", page),)
    # The steps are kept in the store and the export, and never sent back as history.
    agent.save("Ramen")
    conversation = agent.store.load("Ramen")
    assert conversation.messages[-1].steps == saved
    assert "Searching the web: best ramen in Lisbon" in to_markdown(conversation)
    list(agent.stream_reply("thanks"))
    last = fake_groq.chat_requests()[-1]
    assert [m["role"] for m in last["messages"]] == ["system", "user", "assistant", "user"]
