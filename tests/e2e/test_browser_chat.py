"""What a person does in bnaGPT, in headless Chromium against `streamlit run` and the fake Groq."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from models.assistant_settings import PERSONAS
from models.message import Message
from models.store import ConversationStore
from tests.conftest import sent_messages, system_prompts
from tests.e2e.conftest import ARTIFACTS_DIR
from tests.e2e.page_reading import READ_TRANSCRIPT
from tests.fake_groq import FakeGroq

MEMORY = "Chatbot With Memory"
SIMPLE = "Simple Chatbot"


def test_simple_chat_streams_the_answer(open_page, app_server, fake_groq: FakeGroq):
    page = open_page(app_server)
    fake_groq.reply_with("Groq answers **fast**, token by token.")
    page.send("How fast is Groq?")
    page.expect_transcript([("user", "How fast is Groq?"), ("assistant", "Groq answers fast, token by token.")])
    expect(page.page.locator("strong", has_text="fast")).to_be_visible()  # Markdown is rendered
    [request] = fake_groq.chat_requests()
    assert request["stream"] is True
    assert sent_messages(request)[-1] == ("user", "How fast is Groq?")


def test_memory_page_remembers_saves_loads_and_deletes(open_page, app_server, fake_groq, conversations_on_disk):
    page = open_page(app_server)
    page.go_to(MEMORY)
    fake_groq.reply_with("Nice to meet you, Ada! How can I help with your trip to Lisbon?")
    page.send("Hi, I'm Ada and I'm planning a trip to Lisbon.")
    fake_groq.reply_with("You told me: your name is Ada and you are planning a trip to Lisbon.")
    page.send("What do you know about me?")
    first, second = fake_groq.chat_requests()
    assert sent_messages(second)[-3:] == [
        ("user", "Hi, I'm Ada and I'm planning a trip to Lisbon."),
        ("assistant", "Nice to meet you, Ada! How can I help with your trip to Lisbon?"),
        ("user", "What do you know about me?"),
    ]
    page.expect_transcript([
        ("user", "Hi, I'm Ada and I'm planning a trip to Lisbon."),
        ("assistant", "Nice to meet you, Ada! How can I help with your trip to Lisbon?"),
        ("user", "What do you know about me?"),
        ("assistant", "You told me: your name is Ada and you are planning a trip to Lisbon."),
    ])

    page.save_as("Trip to Lisbon")
    page.expect_toast("Saved “Trip to Lisbon”.")
    page.expect_saved_conversations(["Trip to Lisbon"])
    page.screenshot(ARTIFACTS_DIR / "memory-page-saved.png")

    # A second tab is a new session: the conversation is listed, the transcript is empty.
    other = open_page(app_server).go_to(MEMORY)
    other.expect_saved_conversations(["Trip to Lisbon"])
    other.expect_transcript([])
    other.in_conversation("Trip to Lisbon", "Load").expect_toast("Loaded “Trip to Lisbon”.")
    other.expect_transcript(page.transcript())
    fake_groq.reset()
    other.send("Which city was it again?")
    other.expect_last_answer("Echo: Which city was it again?")
    [carried_on] = fake_groq.chat_requests()
    assert [text for role, text in sent_messages(carried_on) if role == "user"] == [
        "Hi, I'm Ada and I'm planning a trip to Lisbon.",
        "What do you know about me?",
        "Which city was it again?",
    ]

    other.in_conversation("Trip to Lisbon", "Delete")
    other.confirm("Yes, delete").expect_toast("Deleted “Trip to Lisbon”.")
    expect(other.sidebar.get_by_text("No saved conversations yet.")).to_be_visible()
    other.expect_saved_conversations([])
    other.reload().go_to(MEMORY)
    expect(other.sidebar.get_by_text("No saved conversations yet.")).to_be_visible()
    other.expect_saved_conversations([])
    assert not ConversationStore(conversations_on_disk).exists("Trip to Lisbon")
    assert [path.name for path in conversations_on_disk.glob("*.json")] == []

    # Back on the simple page the chat works as before.
    other.go_to(SIMPLE)
    fake_groq.reset()
    other.send("Still there?")
    other.expect_transcript([("user", "Still there?"), ("assistant", "Echo: Still there?")])
    assert sent_messages(fake_groq.chat_requests()[0])[-1:] == [("user", "Still there?")]


def test_without_a_key_both_pages_explain_how_to_set_it(open_page, keyless_server, fake_groq):
    page = open_page(keyless_server)
    for title in (SIMPLE, MEMORY):
        if title != SIMPLE:
            page.go_to(title)
        expect(page.page.get_by_text("bnaGPT needs a Groq API key to answer.")).to_be_visible()
        expect(page.page.get_by_text("GROQ_API_KEY=gsk_...")).to_be_visible()
        expect(page.chat_box).to_have_count(0)
    assert fake_groq.chat_requests() == []


def test_a_rate_limit_is_explained_and_the_next_message_works(open_page, app_server, fake_groq):
    page = open_page(app_server).go_to(MEMORY)
    fake_groq.fail_with(429, "Rate limit reached for model `openai/gpt-oss-120b`. Please try again in 37.5s.",
                        retry_after=37.5)
    page.send("Tell me a joke")
    page.expect_transcript([
        ("user", "Tell me a joke"),
        ("error", "Groq's rate limit was reached (429). Please try again in 38 seconds."),
    ])
    page.send("Tell me a joke")
    page.expect_last_answer("Echo: Tell me a joke")
    assert len(fake_groq.chat_requests()) == 2
    # The failed turn stays on screen but is not sent as history.
    assert [role for role, _ in sent_messages(fake_groq.chat_requests()[1])] == ["user"]


def test_persona_model_stop_and_regenerate(open_page, app_server, fake_groq):
    page = open_page(app_server).go_to(MEMORY).open_assistant_settings()
    page.choose("Persona", "Patient teacher")
    expect(page.sidebar.get_by_role("textbox", name="System prompt")).to_have_value(PERSONAS["Patient teacher"])
    page.choose("Model", "openai/gpt-oss-20b")

    words = [f"step{index} " for index in range(300)]
    fake_groq.reply_with("".join(words), chunks=words, tokens_per_second=40)  # 7.5 s unless stopped
    page.start_sending("Explain photosynthesis")
    page.expect_last_answer(re.compile(r"step0 step1 step2 step3"))
    page.stop()
    # The page is drawn once more after a Stop (view/chat_view.py); read it once that draw is done.
    # Read in the same step as the wait, so a draw in between cannot change what is read.
    [(_, question), (role, shown)] = page.page.wait_for_function(
        f"() => {{ const shown = ({READ_TRANSCRIPT})(); return shown.length === 2 ? shown : null; }}").json_value()
    assert (question, role) == ("Explain photosynthesis", "assistant")
    assert shown.startswith("step0 step1 step2 step3") and not shown.endswith("step299")
    [request] = fake_groq.chat_requests()
    assert request["model"] == "openai/gpt-oss-20b"
    assert system_prompts(request) == [PERSONAS["Patient teacher"]]
    assert fake_groq.streams[-1].ended.wait(timeout=5) and not fake_groq.streams[-1].finished

    page.send("Go on")  # the stopped answer is kept as shown, marked, and is exactly what the model sees
    page.expect_last_answer("Echo: Go on")
    assert page.transcript()[1] == ("assistant", shown)
    assert page.captions()[0].startswith("Stopped · openai/gpt-oss-20b")
    [question, (role, remembered), go_on] = sent_messages(fake_groq.chat_requests()[-1])
    assert (question, role, remembered.strip(), go_on) == (
        ("user", "Explain photosynthesis"), "assistant", shown, ("user", "Go on"))

    fake_groq.reply_with("Here is a better continuation.")
    page.click("Regenerate")
    page.expect_last_answer("Here is a better continuation.")
    page.expect_transcript([("user", "Explain photosynthesis"), ("assistant", shown),
                            ("user", "Go on"), ("assistant", "Here is a better continuation.")])
    assert re.fullmatch(r"openai/gpt-oss-20b · \d+ → \d+ tokens · [\d.]+ s · \d+ tokens/s", page.captions()[-1])
    regenerated = fake_groq.chat_requests()[-1]
    assert sent_messages(regenerated)[-1] == ("user", "Go on")
    assert ("assistant", "Echo: Go on") not in sent_messages(regenerated)


def test_a_named_chat_survives_a_reload_exports_renames_and_is_found(open_page, app_server, fake_groq,
                                                                     conversations_on_disk):
    ConversationStore(conversations_on_disk).save("Garden", [Message("user", "Tomatoes need sun")])
    page = open_page(app_server).go_to(MEMORY)
    page.send("Plan a picnic for Saturday")
    page.save_as("Picnic")
    fake_groq.reply_with("Bring **bread**, cheese and grapes.")
    page.send("What food should I bring?")  # not saved by hand: autosaved
    shown = [
        ("user", "Plan a picnic for Saturday"), ("assistant", "Echo: Plan a picnic for Saturday"),
        ("user", "What food should I bring?"), ("assistant", "Bring bread, cheese and grapes."),
    ]
    page.expect_transcript(shown)

    page.reload()  # a new session: the address names the conversation, so it comes back
    page.expect_transcript(shown)
    page.expect_saved_conversations(["Picnic", "Garden"])

    file_name, content = page.download("Picnic", "Export JSON")
    exported = json.loads(content)
    assert file_name == "picnic.json" and exported["name"] == "Picnic"
    assert [message["content"] for message in exported["messages"]] == [
        "Plan a picnic for Saturday", "Echo: Plan a picnic for Saturday",
        "What food should I bring?", "Bring **bread**, cheese and grapes.",
    ]
    file_name, content = page.download("Picnic", "Export Markdown")
    assert file_name == "picnic.md"
    assert "# Picnic" in content.decode() and "Bring **bread**, cheese and grapes." in content.decode()

    page.in_conversation("Picnic", "Rename")
    page.page.get_by_role("dialog").get_by_label("New name").fill("Summer picnic")
    page.confirm("Confirm rename").expect_toast("Renamed “Picnic” to “Summer picnic”.")
    page.expect_saved_conversations(["Summer picnic", "Garden"])
    page.search("GRAPES")
    page.expect_saved_conversations(["Summer picnic"])
    page.search("tomatoes")
    page.expect_saved_conversations(["Garden"])
    assert ConversationStore(conversations_on_disk).load("Summer picnic").messages[-1].content == (
        "Bring **bread**, cheese and grapes.")
