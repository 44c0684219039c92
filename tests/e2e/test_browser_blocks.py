"""Streaming in blocks (issue 20): an answer streamed as separate Markdown elements shows the same text
and HTML as the same answer drawn at once from the transcript."""

from __future__ import annotations

import re

from tests.fake_groq import FakeGroq

# Fences of both kinds (one holding a blank line and a shorter fence), nested and loose lists, a
# table, quotes, a setext heading and emphasis: every kind of boundary the splitter decides on.
ANSWER = """# Streaming in blocks

Here is a paragraph with **bold**, *italics* and `code`.

```python
def f():

    return "```"
```

~~~~text
~~~
still code
~~~~

- one
  - one point one

  - one point two
- two

1. first

2. second

| Name | Value |
|------|------:|
| a    | 1     |
| b    | 2     |

> A quote
>
> with two paragraphs

Setext heading
--------------

The last paragraph streams for a while, so that the page shows every block above it finished while
it is still being written, word by word, at the pace the fake server sends it, until ENDOFANSWER.
"""

# Every time the page changes, the HTML and text of each Markdown element in the newest bubble (not
# stale, not a caption, not the thinking), once the answer has begun.
RECORDER = """() => {
window.__blocks = [];
new MutationObserver(() => {
  const bubbles = document.querySelectorAll('[data-testid="stChatMessage"]');
  const bubble = bubbles[bubbles.length - 1];
  if (!bubble) return;
  const parts = [...bubble.querySelectorAll('[data-testid="stMarkdown"] [data-testid="stMarkdownContainer"]')]
    .filter((part) => !part.closest(
      '[data-stale="true"], [data-testid="stCaptionContainer"], [data-testid="stExpander"]'));
  if (parts.length && parts[0].textContent.startsWith('Streaming in blocks'))
    window.__blocks.push(parts.map((part) => [part.innerHTML, part.textContent]));
}).observe(document, {subtree: true, childList: true, characterData: true});
}"""


def tags(html: str) -> str:
    """HTML without the line breaks React puts between block elements of one Markdown element, and
    with React's generated ids (":r4:", which heading anchors refer to) all alike."""
    return re.sub(r":r[0-9a-z]+:", ":r:", re.sub(r">\s*\n\s*<", "><", html))


def test_an_answer_streamed_in_blocks_looks_as_drawn_at_once(open_page, app_server, fake_groq: FakeGroq):
    page = open_page(app_server)
    # Code is drawn by a highlighter the page loads the first time it shows code (a placeholder until then).
    fake_groq.reply_with("```python\nprint('warm')\n```")
    page.send("Load the code highlighter")
    page.page.evaluate(RECORDER)
    chunks = re.findall(r"\S*\s*", ANSWER)
    fake_groq.reply_with(ANSWER, chunks=[chunk for chunk in chunks if chunk], tokens_per_second=150)
    page.send("Show me every kind of block")
    drawn = page.page.evaluate("window.__blocks")
    at_once = drawn[-1]
    assert len(at_once) == 1  # the transcript draws the answer as one element, as before
    html, words = tags(at_once[0][0]), at_once[0][1].split()
    # The last state while it streamed (not one where the new run's whole answer sits above the old
    # blocks): its finished blocks, not the one still being written.
    in_blocks = [state for state in drawn if len(state) > 1 and "ENDOFANSWER" not in state[0][1]][-1][:-1]
    assert len(in_blocks) >= 5  # blocks, not one element drawn again and again
    assert "Setext heading" in in_blocks[-1][1]  # all but the last paragraph finished while it streamed
    finished_html = "".join(tags(part_html) for part_html, _ in in_blocks)
    assert html.startswith(finished_html)
    assert html[len(finished_html):].startswith("<p>The last paragraph streams")
    assert words[:len(finished_words := " ".join(text for _, text in in_blocks).split())] == finished_words
    page.expect_last_answer(re.compile(r"^Streaming in blocks\n"))
