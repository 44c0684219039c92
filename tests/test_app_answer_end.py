"""How an answer ends, in AppTest and on the controller: a Stop hangs up at once, a failed or cut
turn is marked and offers Retry, an answer cut at Max answer tokens offers Continue, and a
timeout says how long was really waited."""

from __future__ import annotations

import dataclasses
import re
import time

import pytest

from controller.chat import ChatError, Waiting
from controller.simple_chat import SimpleChatController
from tests.app_driver import MEMORY_PAGE, click, send, start_app, transcript
from tests.conftest import ask, sent_messages
from tests.test_app_assistant import widget


def main_buttons(app) -> list[str]:
    return [button.label for button in app.main.button]


def test_a_stop_before_the_first_chunk_hangs_up_at_once(settings, fake_groq):
    fake_groq.hang(10)
    controller = SimpleChatController(settings)
    stream = controller.stream_reply("Are you there?")
    assert isinstance(next(stream), Waiting)
    [held] = [request for request in fake_groq.requests if request.method == "POST"]
    stopped = time.time()
    stream.close()  # what a Stop does to the view's generator
    assert held.hung_up.wait(timeout=5) and held.hung_up_at - stopped < 1.0
    assert controller.messages[-1].error == "Stopped before any answer arrived."


def test_a_timeout_says_how_long_was_waited_retries_included(settings, fake_groq):
    fake_groq.hang(5)
    fake_groq.hang(5)
    controller = SimpleChatController(dataclasses.replace(settings, request_timeout=0.3, max_retries=1))
    began = time.monotonic()
    with pytest.raises(ChatError) as failure:
        ask(controller, "hello")
    waited = time.monotonic() - began
    said = float(re.search(r"waited ([\d.]+) seconds", str(failure.value))[1])
    assert 0.6 <= said <= waited + 0.05  # two timeouts and the SDK's pause between them
    assert "Press Retry" in str(failure.value) and len(fake_groq.chat_requests()) == 2


def test_a_failed_turn_offers_retry_which_replaces_it(app_env):
    app = start_app()
    app_env.fail_with(500, "boom")
    send(app, "hello")
    assert transcript(app) == [("user", "hello"), ("error", "Groq had a server error (500). Press Retry in a moment.")]
    assert "Retry" in main_buttons(app) and "Regenerate" not in main_buttons(app)
    click(app, "Retry")
    assert transcript(app) == [("user", "hello"), ("assistant", "Echo: hello")]
    assert "Regenerate" in main_buttons(app) and "Retry" not in main_buttons(app)


def test_a_stream_closed_without_finish_reason_is_marked_as_cut(app_env):
    app = start_app(MEMORY_PAGE)
    app_env.cut_stream_after(3, "one two three four five six", reasoning="", clean=True)
    send(app, "count to six")
    [(_, question), (_, partial), (kind, error)] = transcript(app)
    assert (question, partial, kind) == ("count to six", "one two three", "error")
    assert "cut off midway" in error and "Press Retry" in error
    assert app.chat_message[1].caption[0].value.startswith("Cut off · ")
    assert "Retry" in main_buttons(app) and "Regenerate" not in main_buttons(app)

    send(app, "next")  # the cut turn is never what the model sees
    assert sent_messages(app_env.chat_requests()[-1]) == [("user", "next")]


def test_an_answer_cut_at_max_answer_tokens_offers_continue(app_env):
    app = start_app(MEMORY_PAGE)
    widget(app, "number_input", "Max answer tokens").set_value(16).run()
    long = " ".join(f"word{index}" for index in range(60))
    app_env.reply_with(long, reasoning="")
    send(app, "Tell me everything")
    assert app.chat_message[1].caption[0].value.startswith("Cut at Max answer tokens · ")
    shown = transcript(app)[1][1]
    click(app, "Continue")
    assert sent_messages(app_env.chat_requests()[-1]) == [
        ("user", "Tell me everything"), ("assistant", shown), ("user", "Continue.")]
