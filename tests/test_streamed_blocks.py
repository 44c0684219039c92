"""The view's side of streaming in blocks (issue 20), in Streamlit's AppTest: the thinking and the
answer each end as several Markdown elements that together hold exactly the streamed text."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def stream_a_thinking_answer() -> None:
    import streamlit as st

    from controller.chat import Reasoning
    from view.answer_stream import StreamedAnswer

    events = [Reasoning("First I think.\n\n"), Reasoning("Then I think "), Reasoning("more.\n\nDone"),
              "# Answer\n\nOne ", "paragraph.\n\n- a\n\n- b\n\n", "After the list.\n\n```\ncode\n\n", "more\n```\n",
              "\nThe end."]
    st.session_state["text"] = StreamedAnswer().write(events)


def test_thinking_and_answer_are_drawn_in_blocks_that_add_up_to_the_text():
    app = AppTest.from_function(stream_a_thinking_answer).run()
    assert not app.exception
    [thinking] = app.status
    reasoning = [element.value for element in thinking.markdown]
    answer = [element.value for element in app.markdown if element not in thinking.markdown]
    assert reasoning == ["First I think.", "Then I think more.", "Done"]
    # Cut where a line after a blank line can start nothing but a block of its own; the list waits
    # for "After the list" (a "- c" could have followed), the fence for its end.
    assert answer == ["# Answer", "One paragraph.", "- a\n\n- b\n\nAfter the list.", "```\ncode\n\nmore\n```",
                      "The end."]
    assert app.session_state["text"] == ("# Answer\n\nOne paragraph.\n\n- a\n\n- b\n\nAfter the list.\n\n"
                                         "```\ncode\n\nmore\n```\n\nThe end.")


def stream_forty_paragraphs() -> None:
    import streamlit as st

    from view.answer_stream import StreamedAnswer

    events = [f"Paragraph {index}.\n\n" for index in range(40)] + ["The end."]
    st.session_state["text"] = StreamedAnswer().write(events)


def markdown_counts(node, counts: list[int]) -> list[int]:
    """How many Markdown elements each block holds directly, blocks in the order they are drawn."""
    children = list(getattr(node, "children", {}).values())
    counts.append(sum(type(child).__name__ == "Markdown" for child in children))
    for child in children:
        markdown_counts(child, counts)
    return counts


def test_finished_blocks_are_drawn_in_groups_of_sixteen_that_add_up_to_the_text():
    # The browser draws again every element of a container whose content changed: in groups, a new
    # block redraws its group only, not every block above it (B10).
    app = AppTest.from_function(stream_forty_paragraphs).run()
    assert not app.exception
    assert [element.value for element in app.markdown] == [f"Paragraph {index}." for index in range(40)] + ["The end."]
    assert [count for count in markdown_counts(app.main, []) if count] == [16, 16, 9]
