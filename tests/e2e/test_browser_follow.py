"""The page follows a streaming answer to its end (static/app.js): by a jump each time the answer
grows, not Streamlit's glide, which scrolled and laid the page out at every frame while an answer
streamed (B10)."""

from __future__ import annotations

from tests.fake_groq import FakeGroq

PARAGRAPHS = 40
# An answer several screens tall, in paragraphs, ending with a marker.
ANSWER = "\n\n".join(f"Paragraph {n} of the long answer, which goes on for a line or two so that the page "
                     "has to scroll to show its end." for n in range(1, PARAGRAPHS + 1)) + "\n\nENDOFANSWER"
CHUNKS = [word + " " for word in ANSWER.split(" ")]
RATE = 300  # words a second: about two seconds of streaming

NEAR_END = 8  # px
# Records, in the page, how far from its end the main area was at each of its scrolls.
RECORDER = """() => {
  const scroller = document.querySelector('[data-testid="stAppScrollToBottomContainer"]');
  window.__scrolls = [];
  scroller.addEventListener('scroll', () => window.__scrolls.push(
    scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight), {passive: true});
}"""
AT_END = """(near) => {
  const scroller = document.querySelector('[data-testid="stAppScrollToBottomContainer"]');
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < near;
}"""


def test_a_streaming_answer_is_followed_by_jumps_to_its_end(open_page, app_server, fake_groq: FakeGroq):
    page = open_page(app_server)
    page.page.evaluate(RECORDER)
    fake_groq.reply_with(ANSWER, chunks=CHUNKS, tokens_per_second=RATE)
    with page.rerun():
        page.start_sending("Write a long answer")
        page.page.get_by_text("ENDOFANSWER").wait_for()
        page.page.wait_for_function(AT_END, arg=NEAR_END)  # its last words come into view
        scrolls = page.page.evaluate("window.__scrolls")
    # A glide takes a step a frame, each short of the end; a jump lands on it (unless the answer has
    # grown again since: the end is a moving target). Without any scroll the page would not follow.
    at_end = [distance for distance in scrolls if distance < NEAR_END]
    assert len(scrolls) >= 5 and len(at_end) >= len(scrolls) / 2, scrolls
    page.expect_last_answer(" ".join(ANSWER.split()))
