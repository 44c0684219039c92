"""The memory page in AppTest: autosave, the address link, rename, search, "Show more", export, import."""

from __future__ import annotations

import json

from models.message import Message
from models.store import ConversationStore
from tests.app_driver import (
    MEMORY_PAGE,
    click,
    click_in_conversation,
    in_conversation,
    save_as,
    saved_conversations,
    send,
    start_app,
    transcript,
    updated_labels,
)
from tests.conftest import sent_messages


def memory_page():
    return start_app(MEMORY_PAGE)


def stored(conversations_dir, name: str) -> list[str]:
    """The message texts saved under `name`, read from disk by a fresh store."""
    return [message.content for message in ConversationStore(conversations_dir).load(name).messages]


def sidebar_text(app) -> str:
    return " ".join(element.value for element in [*app.sidebar.caption, *app.sidebar.warning, *app.sidebar.error])


def test_every_turn_of_a_named_chat_is_autosaved_for_the_next_session(app_env, conversations_dir):
    app = memory_page()
    send(app, "Plan a trip")
    save_as(app, "Trip")
    send(app, "Day two?")  # no Save pressed
    assert "Saving every turn to “Trip”" in sidebar_text(app)
    assert stored(conversations_dir, "Trip") == ["Plan a trip", "Echo: Plan a trip", "Day two?", "Echo: Day two?"]

    other = memory_page()  # a new session: a refresh, another tab, a restarted server
    click_in_conversation(other, "Trip", "Load")
    assert [text for _, text in transcript(other)][-1] == "Echo: Day two?"
    send(other, "Day three?")
    assert stored(conversations_dir, "Trip")[-1] == "Echo: Day three?"


def test_a_failed_turn_is_autosaved_too(app_env, conversations_dir):
    app = memory_page()
    send(app, "first")
    save_as(app, "Bumpy")
    app_env.fail_with(500, "boom")
    send(app, "lost in transit")
    saved = ConversationStore(conversations_dir).load("Bumpy").messages
    assert saved[-1].content == "lost in transit" and "server error" in saved[-1].error


def test_the_address_names_the_open_conversation_and_reopens_it(app_env, conversations_dir):
    app = memory_page()
    send(app, "Remember the blue door")
    save_as(app, "Doors")
    assert app.query_params["chat"] == "Doors"

    reloaded = start_app()
    reloaded.query_params["chat"] = "Doors"
    reloaded.switch_page(MEMORY_PAGE).run()
    assert transcript(reloaded) == [("user", "Remember the blue door"), ("assistant", "Echo: Remember the blue door")]
    send(reloaded, "Which door?")
    assert sent_messages(app_env.chat_requests()[-1])[0] == ("user", "Remember the blue door")

    click(reloaded, "New chat")
    assert "chat" not in reloaded.query_params


def test_a_link_to_a_missing_conversation_says_so(app_env):
    app = start_app()
    app.query_params["chat"] = "Gone"
    app.switch_page(MEMORY_PAGE).run()
    assert transcript(app) == []
    assert [toast.value for toast in app.toast] == [
        "The linked conversation could not be opened. No saved conversation named “Gone”."]


def test_a_change_made_in_another_tab_is_never_overwritten(app_env, conversations_dir):
    first = memory_page()
    send(first, "from the first tab")
    save_as(first, "Shared")
    second = memory_page()
    click_in_conversation(second, "Shared", "Load")
    send(second, "from the second tab")

    send(first, "first tab again")  # its autosave is refused
    assert "was changed in another tab or window" in sidebar_text(first)
    assert stored(conversations_dir, "Shared")[-1] == "Echo: from the second tab"
    save_as(first, "Shared")  # saving by hand asks first
    assert "changed elsewhere" in " ".join(m.value for m in first.markdown)
    assert stored(conversations_dir, "Shared")[-1] == "Echo: from the second tab"


def test_a_new_chat_suggests_a_free_name_from_its_first_message(app_env):
    app = memory_page()
    send(app, "  What is a   good pasta recipe?  ")
    click(app, "Save")
    assert app.sidebar.text_input(key="memory.save_name").value == "What is a good pasta recipe?"
    click(app, "Confirm save")
    click(app, "New chat")
    send(app, "What is a good pasta recipe?")
    click(app, "Save")
    assert app.sidebar.text_input(key="memory.save_name").value == "What is a good pasta recipe? (2)"


def test_rename_from_the_menu_keeps_messages_and_autosaves_under_the_new_name(app_env, conversations_dir):
    app = memory_page()
    send(app, "hello")
    save_as(app, "Draft")
    click_in_conversation(app, "Draft", "Rename")
    app.text_input(key="memory.rename_to").set_value("Final")
    click(app, "Confirm rename")
    assert saved_conversations(app) == ["Final"]
    assert [toast.value for toast in app.toast] == ["Renamed “Draft” to “Final”."]
    send(app, "more")
    assert stored(conversations_dir, "Final")[-1] == "Echo: more"
    assert app.query_params["chat"] == "Final"


def test_renaming_onto_an_existing_name_asks_first(app_env, conversations_dir):
    store = ConversationStore(conversations_dir)
    store.save("Keep", [Message("user", "keep me")])
    store.save("Other", [Message("user", "other")])
    app = memory_page()
    click_in_conversation(app, "Other", "Rename")
    app.text_input(key="memory.rename_to").set_value("Keep")
    click(app, "Confirm rename")
    assert "A conversation named “Keep” already exists" in " ".join(w.value for w in app.warning)
    assert stored(conversations_dir, "Keep") == ["keep me"]  # nothing replaced before the yes

    click(app, "Cancel")
    assert sorted(saved_conversations(app)) == ["Keep", "Other"]
    click_in_conversation(app, "Other", "Rename")
    app.text_input(key="memory.rename_to").set_value("Keep")
    click(app, "Confirm rename")
    click(app, "Replace")
    assert saved_conversations(app) == ["Keep"] and stored(conversations_dir, "Keep") == ["other"]


def test_rename_refuses_an_invalid_name_in_place(app_env, conversations_dir):
    ConversationStore(conversations_dir).save("Named", [Message("user", "x")])
    app = memory_page()
    click_in_conversation(app, "Named", "Rename")
    app.text_input(key="memory.rename_to").set_value("   ")
    click(app, "Confirm rename")
    assert [error.value for error in app.error] == ["Please give the conversation a name."]
    assert saved_conversations(app) == ["Named"]


def test_search_matches_names_and_message_text_without_case_or_accents(app_env, conversations_dir):
    store = ConversationStore(conversations_dir)
    store.save("Café crawl", [Message("user", "Where to go in Lisbon?")])
    store.save("Budget", [Message("user", "Spreadsheet for the CAFÉ expenses")])
    store.save("Garden", [Message("user", "Tomatoes")])
    app = memory_page()
    app.sidebar.text_input(key="memory.search").set_value("cafe").run()
    assert saved_conversations(app) == ["Budget", "Café crawl"]  # newest first
    app.sidebar.text_input(key="memory.search").set_value("LISBON cafe").run()
    assert saved_conversations(app) == ["Café crawl"]
    app.sidebar.text_input(key="memory.search").set_value("zucchini").run()
    assert saved_conversations(app) == [] and "No conversations match “zucchini”." in sidebar_text(app)


def test_the_list_shows_50_newest_with_times_then_show_more(app_env, conversations_dir):
    store = ConversationStore(conversations_dir)
    for number in range(120):
        store.save(f"Chat {number:03}", [Message("user", f"message {number}")])
    app = memory_page()
    names = saved_conversations(app)
    assert names == [f"Chat {number:03}" for number in range(119, 69, -1)]
    assert all(label and label[:2].isdigit() and label[2] == ":" for label in updated_labels(app))  # saved today: HH:MM
    assert "Showing 50 of 120." in sidebar_text(app)
    click(app, "Show more")
    assert len(saved_conversations(app)) == 100
    click(app, "Show more")
    assert len(saved_conversations(app)) == 120 and not [b for b in app.button if b.label == "Show more"]


def test_each_conversation_offers_markdown_and_json_exports_built_on_click(app_env, conversations_dir):
    ConversationStore(conversations_dir).save("Weekend: Lisbon/Porto", [Message("user", "Plan it")])
    app = memory_page()
    buttons = {button.label: button for button in in_conversation(app, "Weekend: Lisbon/Porto").get("download_button")}
    assert sorted(buttons) == ["Export JSON", "Export Markdown"]
    # Built only when clicked (AppTest cannot fetch the file; the browser test downloads both),
    # and a click does not rerun the page.
    assert all(button.proto.deferred_file_id and button.proto.ignore_rerun for button in buttons.values())


def _upload(app, *files: tuple[str, bytes]):
    click(app, "Import conversations")
    [uploader] = app.get("file_uploader")
    uploader.set_value([(name, data, "application/json") for name, data in files]).run()
    return app


def test_import_our_exports_and_the_original_apps_file(app_env, conversations_dir):
    store = ConversationStore(conversations_dir)
    store.save("Existing", [Message("user", "already here")])
    ours = json.dumps({"format": 1, "name": "Existing", "created": "2026-01-01T00:00:00+00:00",
                       "updated": "2026-01-01T00:00:00+00:00", "revision": 3, "model": None,
                       "messages": [{"role": "user", "content": "imported words"}]}).encode()
    legacy = json.dumps({"Old chat": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})
    app = memory_page()
    _upload(app, ("mine.json", ours), ("saved_conversations.json", legacy.encode()))
    assert sorted(saved_conversations(app)) == ["Existing", "Existing (2)", "Old chat"]
    assert stored(conversations_dir, "Existing") == ["already here"]  # never replaced
    assert stored(conversations_dir, "Existing (2)") == ["imported words"]
    assert "Imported 2 conversations" in app.toast[0].value
    click_in_conversation(app, "Old chat", "Load")
    assert transcript(app) == [("user", "hi"), ("assistant", "hello")]


def test_a_bad_import_names_the_problem_and_changes_nothing(app_env, conversations_dir):
    app = memory_page()
    _upload(app, ("notes.json", b"{not json"), ("list.json", b"[1, 2]"))
    problems = [error.value for error in app.error]
    assert len(problems) == 2 and "“notes.json”" in problems[0] and "“list.json”" in problems[1]
    assert saved_conversations(app) == [] and not list(conversations_dir.glob("*.json"))
