"""A long conversation shows its newest messages; older ones come a step at a time, per page."""

from __future__ import annotations

from models.message import Message
from models.store import ConversationStore
from tests.app_driver import MEMORY_PAGE, click, click_in_conversation, send, start_app, transcript
from view.chat_view import EARLIER_STEP, TRANSCRIPT_WINDOW

MORE = "Show earlier messages"


def conversation(size: int, topic: str) -> list[Message]:
    return [Message("user" if index % 2 == 0 else "assistant", f"{topic} {index}") for index in range(size)]


def loaded(conversations_dir, **conversations: list[Message]):
    store = ConversationStore(conversations_dir)
    for name, messages in conversations.items():
        store.save(name, messages)
    app = start_app(MEMORY_PAGE)
    click_in_conversation(app, next(iter(conversations)), "Load")
    return app


def hidden_caption(app) -> list[str]:
    return [caption.value for caption in app.main.caption if "not shown" in caption.value]


def more_buttons(app) -> list:
    return [button for button in app.main.button if button.label == MORE]


def test_a_long_conversation_shows_its_newest_messages_and_more_on_request(app_env, conversations_dir):
    app = loaded(conversations_dir, Long=conversation(150, "weather"))
    texts = [text for _, text in transcript(app)]
    assert texts == [f"weather {index}" for index in range(150 - TRANSCRIPT_WINDOW, 150)]
    assert hidden_caption(app) == [f"{150 - TRANSCRIPT_WINDOW} earlier messages not shown."]

    click(app, MORE)
    assert len(transcript(app)) == TRANSCRIPT_WINDOW + EARLIER_STEP and transcript(app)[-1][1] == "weather 149"
    assert hidden_caption(app) == [f"{150 - TRANSCRIPT_WINDOW - EARLIER_STEP} earlier messages not shown."]
    click(app, MORE)
    assert [text for _, text in transcript(app)] == [f"weather {index}" for index in range(150)]
    assert more_buttons(app) == [] and hidden_caption(app) == []

    send(app, "and tomorrow?")  # the newest is always shown, and what was revealed stays revealed
    assert transcript(app)[-2:] == [("user", "and tomorrow?"), ("assistant", "Echo: and tomorrow?")]
    assert len(transcript(app)) == 152


def test_the_window_starts_again_for_another_conversation_and_a_new_chat(app_env, conversations_dir):
    app = loaded(conversations_dir, First=conversation(150, "first"), Second=conversation(60, "second"))
    click(app, MORE)
    assert len(transcript(app)) == TRANSCRIPT_WINDOW + EARLIER_STEP

    click_in_conversation(app, "Second", "Load")
    assert [text for _, text in transcript(app)] == [f"second {index}" for index in range(60 - TRANSCRIPT_WINDOW, 60)]
    assert hidden_caption(app) == [f"{60 - TRANSCRIPT_WINDOW} earlier messages not shown."]

    click(app, MORE)
    assert len(transcript(app)) == 60
    click(app, "New chat")
    for index in range(TRANSCRIPT_WINDOW // 2 + 1):
        send(app, f"again {index}")
    assert len(transcript(app)) == TRANSCRIPT_WINDOW  # the page is drawn again once the answer ends
    assert hidden_caption(app) == ["2 earlier messages not shown."]
    assert transcript(app)[-1][1] == f"Echo: again {TRANSCRIPT_WINDOW // 2}"


def test_each_page_keeps_its_own_window(app_env, conversations_dir):
    app = loaded(conversations_dir, Long=conversation(150, "weather"))
    click(app, MORE)
    app.switch_page("Simple_Chatbot.py").run()
    assert transcript(app) == [] and more_buttons(app) == []
    app.switch_page(MEMORY_PAGE).run()
    assert len(transcript(app)) == TRANSCRIPT_WINDOW + EARLIER_STEP
    assert "simple.window" in app.session_state and "memory.window" in app.session_state
