"""Drive the real pages with Streamlit's AppTest the way a person would, by visible labels."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from view.sidebar_state import menu_key

PROJECT_DIR = Path(__file__).resolve().parent.parent
MEMORY_PAGE = "pages/1_Chatbot_With_Memory.py"
BUBBLE_TEXT = ("Markdown", "Text", "Code")


def start_app(page: str | None = None) -> AppTest:
    """A new browser session on the entry page (or on `page`), after its first run."""
    app = AppTest.from_file(str(PROJECT_DIR / "Simple_Chatbot.py"), default_timeout=30)
    app.run()
    if page:
        app.switch_page(page).run()
    assert_no_exception(app)
    return app


def assert_no_exception(app: AppTest) -> None:
    """A person never sees a traceback."""
    assert not app.exception, [exception.value for exception in app.exception]


def send(app: AppTest, text: str) -> AppTest:
    """Type a message in the chat box and press Enter."""
    app.chat_input[0].set_value(text).run()
    assert_no_exception(app)
    return app


def _outside_thinking(node) -> list:
    """A bubble's elements, leaving out what sits inside its folded Thinking step and its menus (Copy)."""
    found = []
    for child in getattr(node, "children", {}).values():
        if type(child).__name__ == "Status" or getattr(child, "type", None) == "popover":
            continue
        found.append(child)
        found += _outside_thinking(child)
    return found


def transcript(app: AppTest) -> list[tuple[str, str]]:
    """What the chat area shows: (role, text) per bubble, errors as ("error", text); the model's
    thinking is left out (see `thinking`). The person's words are text (and code), answers Markdown."""
    shown = []
    for bubble in app.main.chat_message:
        texts = [node.value for node in _outside_thinking(bubble) if type(node).__name__ in BUBBLE_TEXT]
        errors = [error.value for error in bubble.error]
        if texts:
            shown.append((bubble.name, "".join(texts)))
        shown += [("error", error) for error in errors]
    return shown


def thinking(app: AppTest) -> list[tuple[str, str]]:
    """Each Thinking step on the page: (its label, the reasoning in it)."""
    return [(status.label, "".join(markdown.value for markdown in status.markdown)) for status in app.main.status]


def unescape(label: str) -> str:
    """A label as the person reads it (the app escapes Markdown in names)."""
    return re.sub(r"\\(.)", r"\1", label)


def _popovers(app: AppTest) -> list:
    found, stack = [], [app.sidebar]
    while stack:
        node = stack.pop(0)
        if getattr(node, "type", None) == "popover":
            found.append(node)
        stack += list(getattr(node, "children", {}).values())
    return found


# A listed conversation's label: its escaped name, then when it was updated in grey.
_LISTED_LABEL = re.compile(r"(?P<name>.*?)(?: :gray\[(?P<when>[^\]]*)\])?\Z", re.DOTALL)


def listed(popover_label: str) -> tuple[str, str | None]:
    """(name, last-updated label) of one Saved conversations entry."""
    match = _LISTED_LABEL.match(popover_label)
    return unescape(match["name"]), match["when"]


def saved_conversations(app: AppTest) -> list[str]:
    """The names listed under Saved conversations, top to bottom."""
    return [listed(popover.proto.popover.label)[0] for popover in _popovers(app)]


def updated_labels(app: AppTest) -> list[str | None]:
    """The last-updated time shown beside each listed conversation, top to bottom."""
    return [listed(popover.proto.popover.label)[1] for popover in _popovers(app)]


def in_conversation(app: AppTest, name: str):
    """The popover (menu) of a listed conversation, opened (its buttons are drawn only when open)."""
    for popover in _popovers(app):
        if listed(popover.proto.popover.label)[0] == name:
            if not popover.children:
                app.session_state[menu_key(name)] = True  # as a click on it does
                app.run()
                return in_conversation(app, name)
            return popover
    raise AssertionError(f"{name!r} is not listed; listed: {saved_conversations(app)}")


def open_assistant_settings(app: AppTest) -> AppTest:
    """Unfold Assistant settings on both pages (their widgets are drawn only when unfolded)."""
    for prefix in ("simple", "memory"):
        app.session_state[f"{prefix}.assistant.open"] = True
    app.run()
    return app


def click_in_conversation(app: AppTest, name: str, button_label: str) -> AppTest:
    """Open a saved conversation's popover and click Load, Rename or Delete."""
    [button] = [b for b in in_conversation(app, name).button if b.label == button_label]
    button.click().run()
    assert_no_exception(app)
    return app


def click(app: AppTest, label: str) -> AppTest:
    """Click the one button with this label (sidebar or dialog)."""
    buttons = [button for button in app.button if button.label == label]
    assert len(buttons) == 1, f"{len(buttons)} buttons labelled {label!r}"
    buttons[0].click().run()
    assert_no_exception(app)
    return app


def save_as(app: AppTest, name: str) -> AppTest:
    """Save (Save as… on a named chat) → Conversation name → Confirm save."""
    click(app, "Save as…" if any(button.label == "Save as…" for button in app.sidebar.button) else "Save")
    [name_box] = [box for box in app.sidebar.text_input if box.label == "Conversation name"]
    name_box.set_value(name)  # in a form: sent with the form, as a browser does
    return click(app, "Confirm save")

