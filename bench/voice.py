"""B9: the app's own part of the two waits of Voice, in Chromium with a fake microphone: the end of a
recording (the check mark) → its transcript shown as the question, and Read aloud → the first audio
playing. The fake Groq's own time (request received → response written) is taken out of each."""

from __future__ import annotations

import statistics

from bench.browser import Bench, Session
from bench.report import Measurement, progress
from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path
from tests.e2e.streamlit_server import StreamlitServer
from tests.fake_groq_audio import PHRASES, SPEECH_PATH, TRANSCRIPTION_PATH, tone_wav

QUESTION = PHRASES[440]
# Stamps in window.__bench.marks (bench/browser.py's TIMING_SCRIPT, which runs first): "approve" when the
# recording's check mark is clicked, "read" when Read aloud is, "playing" when an <audio> starts playing.
VOICE_SCRIPT = r"""
(() => {
  const stamp = () => performance.timeOrigin + performance.now();
  document.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('button');
    if (!button) return;
    if (button.matches('[data-testid="stChatInputApproveButton"]')) window.__bench.marks.approve = stamp();
    if (button.innerText.trim().endsWith('Read aloud')) window.__bench.marks.read = stamp();
  }, true);
  document.addEventListener('playing', () => {
    if (!('playing' in window.__bench.marks)) window.__bench.marks.playing = stamp();
  }, true);
})();
"""


def voice_rows(bench: Bench, server: StreamlitServer, repeat: int) -> list[Measurement]:
    """B9-transcript and B9-read-aloud, each in a fresh session."""
    capture = bench.folder / "question.wav"
    capture.write_bytes(tone_wav(440, 3.0, rate=48_000))
    chromium = bench.browser.browser_type.launch(executable_path=chromium_path(), args=[
        *CHROMIUM_FLAGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={capture}", "--autoplay-policy=no-user-gesture-required"])
    heard = Measurement("B9-transcript", "Voice: recording's check mark → transcript shown as the question, "
                        "the app's part (Groq's transcription time taken out)", "s", budget=1.0)
    read = Measurement("B9-read-aloud", "Voice: Read aloud → first audio playing, the app's part (Groq's speech "
                       "time taken out)", "s", budget=1.0)
    groq_heard, groq_read = [], []
    try:
        for run in range(repeat):
            session = Session(chromium, server.url)
            try:
                session.page.add_init_script(VOICE_SCRIPT)
                session.chat.open()
                heard_at, read_at = _one_run(session, bench)
            finally:
                session.close()
            heard.values.append(heard_at[0])
            groq_heard.append(heard_at[1])
            read.values.append(read_at[0])
            groq_read.append(read_at[1])
            progress(f"B9 run {run + 1}/{repeat}: transcript {heard_at[0] * 1000:.0f} ms, "
                     f"Read aloud {read_at[0] * 1000:.0f} ms (app's part)")
    finally:
        chromium.close()
    heard.details = {"Groq's transcription (ms, median)": round(statistics.median(groq_heard) * 1000, 1),
                     "note": "includes the recording's upload to Streamlit and the run that transcribes it"}
    read.details = {"Groq's first speech part (ms, median)": round(statistics.median(groq_read) * 1000, 1),
                    "note": "a fragment run: the first part is fetched and drawn with autoplay"}
    return [heard, read]


def _one_run(session: Session, bench: Bench) -> tuple[tuple[float, float], tuple[float, float]]:
    """((app's part, Groq's part) of the transcript's wait, the same of Read aloud's), in seconds."""
    page, fake = session.page, bench.fake
    before = len(fake.audio.records)
    session.watch(QUESTION)
    page.get_by_test_id("stChatInputMicButton").click()
    approve = page.get_by_test_id("stChatInputApproveButton")
    approve.wait_for()
    page.wait_for_timeout(1000)  # the person speaking
    with session.chat.rerun():
        approve.click()
    marks = session.marks("approve", QUESTION)
    [transcription] = [r for r in fake.audio.records[before:] if r.path == TRANSCRIPTION_PATH]
    groq = transcription.answered_at - transcription.received_at
    heard = (marks[QUESTION] - marks["approve"] - groq, groq)
    with session.chat.rerun():
        page.get_by_role("button", name="Read aloud").first.click()
    marks = session.marks("read", "playing")
    first = next(r for r in fake.audio.records[before:] if r.path == SPEECH_PATH)
    groq = first.answered_at - first.received_at
    return heard, (marks["playing"] - marks["read"] - groq, groq)
