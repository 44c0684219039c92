"""The block splitter behind streaming in blocks (issue 20): where a growing answer may be cut, and a
check against a real CommonMark parser that the blocks, rendered apart, make the whole answer's HTML."""

from __future__ import annotations

import textwrap

import pytest
from markdown_it import MarkdownIt

from models.markdown_blocks import finished_length, needs_whole

# CommonMark with GitHub's tables and strikethrough, as Streamlit's Markdown has them.
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])

FENCES = """Here is some code:

```python
def f():

    return 1
```

And with tildes, holding a backtick fence:

~~~~markdown
```

not closed by three tildes:
~~~

~~~~

A four-backtick fence holding three:

````
```

````

Done.
"""

NESTED_LISTS = """Steps:

- one
  - one point one

  - one point two
- two

  the second paragraph of two

1. first
2. second

   3. nested and loose

Not in the list.

- a tight list
- after a paragraph

* another marker, another list

Last words.
"""

TABLES_AND_QUOTES = """| Name | Value |
|------|------:|
| a    | 1     |
| b    | 2     |

After the table.

> A quote
> on two lines
>
> and a second paragraph, same quote

> A new quote after a blank line

Setext heading
==============

---

Thematic break above.
"""

OTHER_BLOCKS = """Indented code:

    indented code

    still the same code block

A paragraph.

<!-- a comment

that runs on past a blank line -->

<pre>
a

b
</pre>

- item with a fence

  ```
  code

  more code
  ```

- next item

The end.
"""

OPEN_FENCE = """Before the fence.

```
a line of code

more code, the fence never closed

Text that is still code
"""


def render(text: str) -> str:
    """The HTML Streamlit would draw for one st.markdown element (it dedents and strips the body),
    ending in one line break (a raw HTML block keeps its source's, which the strip took)."""
    return PARSER.render(textwrap.dedent(text).strip()).rstrip("\n") + "\n"


def streamed_blocks(text: str, step: int = 1) -> list[str]:
    """The elements a stream of `text` leaves, `step` characters at a time: the finished blocks as
    they were cut, then what was left unfinished."""
    blocks, done = [], 0
    for end in range(step, len(text) + step, step):
        cut = finished_length(text[done:end])
        if cut:
            blocks.append(text[done:done + cut])
            done += cut
    return [*blocks, text[done:]]


@pytest.mark.parametrize("text", [FENCES, NESTED_LISTS, TABLES_AND_QUOTES, OTHER_BLOCKS, OPEN_FENCE],
                         ids=["fences", "nested-lists", "tables-and-quotes", "other-blocks", "open-fence"])
@pytest.mark.parametrize("step", [1, 7])
def test_blocks_rendered_apart_make_the_whole_answers_html(text, step):
    blocks = streamed_blocks(text, step)
    assert "".join(blocks) == text
    assert len(blocks) >= (2 if text is OPEN_FENCE else 5)  # it does cut
    assert "".join(render(block) for block in blocks) == render(text)


def test_a_fence_is_never_cut_inside_whatever_its_marker():
    blocks = streamed_blocks(FENCES)
    assert blocks[1].startswith("```python") and blocks[1].endswith("    return 1\n```\n\n")
    assert blocks[3].startswith("~~~~markdown") and blocks[3].endswith("\n~~~~\n\n")  # ``` and ~~~ inside
    assert blocks[5].startswith("````\n```\n\n````")


def test_a_fence_still_open_at_the_end_keeps_everything_after_it_unfinished():
    assert finished_length(OPEN_FENCE) == len("Before the fence.\n\n")
    assert streamed_blocks(OPEN_FENCE)[-1].startswith("```\na line of code")


def test_a_list_that_may_go_on_is_not_cut():
    assert finished_length("- a\n\n- b\n\n") == 0  # "- c" next would make the list loose
    assert finished_length("1. a\n\n2. b\n") == 0
    assert finished_length("- a\n\n  more of a\n\n") == 0  # indented: a's second paragraph
    assert finished_length("- a\n  - b\n\nText\n") == len("- a\n  - b\n\n")
    assert finished_length("Intro\n\n- a\n") == len("Intro\n\n")  # a list after a paragraph starts anew


def test_a_table_and_a_quote_end_at_a_blank_line():
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert finished_length(table) == 0
    assert finished_length(table + "\nText\n") == len(table) + 1
    assert finished_length("> quoted\n>\n> still quoted\n") == 0
    assert finished_length("> quoted\n\n> another\n") == len("> quoted\n\n")


def test_a_line_still_being_written_cuts_only_when_it_cannot_become_a_list_marker():
    assert finished_length("Para\n\nNext li") == len("Para\n\n")
    assert finished_length("- a\n\nNext") == len("- a\n\n")
    assert finished_length("- a\n\n1") == 0  # may become "1. b", continuing the list
    assert finished_length("- a\n\n") == 0
    assert finished_length("Para\n\n  ") == 0


def test_an_answer_that_starts_indented_or_blank_is_never_cut():
    assert finished_length("  Para\n\nNext\n") == 0
    assert finished_length("\nPara\n\nNext\n") == 0


def test_reference_definitions_ask_for_the_whole_answer_again():
    assert needs_whole("See [the docs][d].\n\n[d]: https://example.com\n")
    assert needs_whole("A note[^1].\n\n[^1]: The note.\n")
    assert not needs_whole("```\n[d]: inside code\n```\n\nA [link](https://example.com).\n")


# Pieces an answer is made of; joined at random by one or two line breaks they make the awkward cases
# (a list going on after a blank line, a paragraph running into a list, a fence inside a list item).
PIECES = ["Para *one*", "text", "- item", "  - nested", "  continued", "1. first", "2) second", "* star",
          "+ plus", "    indented", "```", "~~~", "````", "> quote", ">", "| a | b |\n|---|---|\n| 1 | 2 |",
          "Heading\n===", "---", "# Title", "<!--", "-->", "<pre>", "</pre>", "</script>", "<div>", "  ```", "   ```",
          "    ```", "- ```", "- a\n  ```\n  b\n\n  c", "***", "10. ten", "\t- tab", "text\n---", "**bold", "end**"]


@pytest.mark.parametrize("seed", range(60))
def test_random_answers_render_the_same_in_blocks(seed):
    import random

    chooser = random.Random(seed)
    text = "Start\n\n" + "".join(chooser.choice(PIECES) + chooser.choice(["\n", "\n\n"])
                                 for _ in range(chooser.randint(5, 40)))
    blocks = streamed_blocks(text, chooser.choice([1, 3, 11]))
    assert "".join(render(block) for block in blocks) == render(text)
