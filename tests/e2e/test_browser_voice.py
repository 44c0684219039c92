"""Voice in Chromium with a fake microphone: a spoken question (a WAV the test makes) is transcribed,
sent and answered; Read aloud plays what the fake Groq spoke, part after part; each problem with the
microphone or with Groq's audio gives its one sentence, and typing keeps working."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from controller.voice import SILENT
from tests.e2e.chat_page import ChatPage
from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path, opened_pages
from tests.fake_groq import FakeGroq
from tests.fake_groq_audio import SPEECH_PATH, TRANSCRIPTION_PATH, tone_wav

QUESTION = "What is the capital of France?"  # what the fake Whisper hears in a 440 Hz tone
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required",
                   # A second name for 127.0.0.1: a page there is not a secure context.
                   "--host-resolver-rules=MAP voice.test 127.0.0.1"]
INSECURE = re.compile(r"^The microphone works only on localhost or over HTTPS, and this page is at http://voice\.test")
DENIED = re.compile(r"^bnaGPT may not use your microphone: allow it for this site")
# Whether an <audio> of Read aloud has played (it plays to its end in a headless browser).
PLAYED = """(index) => { const parts = document.querySelectorAll('[class*="st-key-voice-read-"] audio');
  return parts.length > index && (parts[index].currentTime > 0 || parts[index].ended); }"""
SHA256_OF_PART = """async (index) => {
  const part = document.querySelectorAll('[class*="st-key-voice-read-"] audio')[index];
  const bytes = await (await fetch(part.currentSrc || part.src)).arrayBuffer();
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join(""); }"""


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The WAVs the fake microphone plays: a spoken question (a 440 Hz tone) and silence."""
    folder = tmp_path_factory.mktemp("microphone")
    (folder / "question.wav").write_bytes(tone_wav(440, 3.0, rate=48_000))
    (folder / "silence.wav").write_bytes(tone_wav(0, 3.0, rate=48_000))
    return folder


@pytest.fixture(scope="module")
def microphone(browser: Browser, recordings: Path) -> Iterator[Callable[[str], Browser]]:
    """Chromium with a fake microphone that plays `question.wav`, `silence.wav`, or (`denied`) refuses."""
    launched: dict[str, Browser] = {}

    def launch(kind: str) -> Browser:
        if kind not in launched:
            extra = (["--deny-permission-prompts"] if kind == "denied" else
                     ["--use-fake-ui-for-media-stream", f"--use-file-for-fake-audio-capture={recordings / kind}.wav"])
            launched[kind] = browser.browser_type.launch(
                executable_path=chromium_path(), args=[*CHROMIUM_FLAGS, *FAKE_MICROPHONE, *extra], headless=True)
        return launched[kind]

    yield launch
    for chromium in launched.values():
        chromium.close()


@pytest.fixture
def open_with(microphone, request: pytest.FixtureRequest, fake_groq: FakeGroq):
    """Opens the app in a browser with a fake microphone (`kind`), at `host`; checks and screenshots as open_page."""
    yield from opened_pages(request, lambda server, kind="question", host="127.0.0.1": (
        microphone(kind), server.url.replace("127.0.0.1", host)))


def record(page: ChatPage) -> None:
    """Press the microphone, speak for a moment, press the check mark; returns once the app's run is over."""
    page.page.get_by_test_id("stChatInputMicButton").click()
    approve = page.page.get_by_test_id("stChatInputApproveButton")
    approve.wait_for()
    page.page.wait_for_timeout(1200)  # the person speaking: how long the recording is, not a wait for the app
    with page.rerun():
        approve.click()


def typing_still_works(page: ChatPage) -> None:
    page.send("hello")
    page.expect_transcript([("user", "hello"), ("assistant", "Echo: hello")])


def error_box(page: ChatPage, within=None):
    """The words of the error on the page (or in `within`), without its icon's name."""
    return (within or page.page).get_by_test_id("stAlertContainer").get_by_test_id("stMarkdownContainer")


def read_aloud(page: ChatPage, answer: int = 0) -> None:
    with page.rerun():
        page.page.get_by_role("button", name="Read aloud").nth(answer).click()


def test_a_spoken_question_is_answered_and_read_aloud(app_server, open_with, fake_groq: FakeGroq) -> None:
    page = open_with(app_server)
    record(page)
    page.expect_transcript([("user", QUESTION), ("assistant", f"Echo: {QUESTION}")])
    expect(page.page.get_by_test_id("stChatMessage").first).to_contain_text("from voice")
    [heard] = fake_groq.audio.of(TRANSCRIPTION_PATH)
    assert heard.filename.endswith(".wav") and heard.fields == {"model": "whisper-large-v3-turbo",
                                                                "response_format": "json"}
    read_aloud(page)
    page.page.wait_for_function(PLAYED, arg=0)
    [spoken] = fake_groq.audio.of(SPEECH_PATH)
    assert spoken.fields["input"] == f"Echo: {QUESTION}" and spoken.fields["voice"] == "autumn"
    assert page.page.evaluate(SHA256_OF_PART, 0) == spoken.audio_sha256  # it plays what Groq returned


def test_a_long_answer_is_read_part_after_part(app_server, open_with, fake_groq: FakeGroq) -> None:
    answer = ("**Paris** is the capital of France, and its largest city. "
              + "It lies on the Seine, in the north of the country. " * 6)
    fake_groq.reply_with(answer)
    page = open_with(app_server).send("Tell me about Paris.")
    read_aloud(page)
    spoken = fake_groq.audio.of(SPEECH_PATH)
    assert [record.fields["input"] for record in spoken][0] == "Paris is the capital of France, and its largest city."
    assert len(spoken) >= 3 and all(len(record.fields["input"]) <= 200 for record in spoken)
    page.page.wait_for_function(PLAYED, arg=len(spoken) - 1)  # each part played when the one before ended
    assert page.page.evaluate(SHA256_OF_PART, 1) == spoken[1].audio_sha256


def test_a_page_that_is_not_a_secure_context_says_where_the_microphone_works(app_server, open_with) -> None:
    page = open_with(app_server, host="voice.test")
    page.page.get_by_test_id("stChatInputMicButton").click()
    expect(page.page.get_by_role("alert")).to_have_text(INSECURE)
    page.send("typed instead")
    page.expect_transcript([("user", "typed instead"), ("assistant", "Echo: typed instead")])
    expect(page.page.get_by_role("alert")).to_have_count(0)


def test_a_refused_microphone_says_how_to_allow_it(app_server, open_with) -> None:
    page = open_with(app_server, kind="denied")
    page.page.get_by_test_id("stChatInputMicButton").click()
    expect(page.page.get_by_role("alert")).to_have_text(DENIED)
    typing_still_works(page)


def test_a_silent_recording_is_not_sent(app_server, open_with, fake_groq: FakeGroq) -> None:
    page = open_with(app_server, kind="silence")
    record(page)
    expect(error_box(page)).to_have_text(SILENT)
    assert fake_groq.audio.of(TRANSCRIPTION_PATH) == []
    typing_still_works(page)


@pytest.mark.parametrize("problem, sentence", [
    ("413", r"^The recording is too large for Groq \(413; at most 25 MB\): record a shorter message\."),
    ("429", r"^Groq's limit of transcription requests a minute was reached \(429\): try again in 12 s\."),
])
def test_whisper_refusing_is_one_sentence(app_server, open_with, fake_groq: FakeGroq, problem, sentence) -> None:
    if problem == "413":
        fake_groq.audio.max_bytes = 1000
    else:
        fake_groq.audio.fail_next(TRANSCRIPTION_PATH, 429, "Rate limit reached. Please try again in 11.5s.",
                                  "rate_limit_exceeded", retry_after=12)
    page = open_with(app_server)
    record(page)
    expect(error_box(page)).to_have_text(re.compile(sentence))
    assert page.transcript() == []


def test_text_to_speech_unavailable_for_the_key_is_one_sentence(app_server, open_with, fake_groq: FakeGroq) -> None:
    fake_groq.audio.terms_accepted = False
    page = open_with(app_server).send("hello")
    read_aloud(page)
    expect(error_box(page, page.page.get_by_test_id("stChatMessage").last)).to_have_text(
        re.compile(r"^Read aloud is not available yet: Groq needs canopylabs/orpheus-v1-english's terms accepted"))
    page.send("still typing")  # the sentence stays under its answer; typing goes on
    page.expect_last_answer("Echo: still typing")
    assert page.transcript()[2:] == [("user", "still typing"), ("assistant", "Echo: still typing")]
