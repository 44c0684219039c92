"""Both pages with files attached in the chat box (AppTest's upload): an image to a model that reads it,
the one-click offer when the chosen model cannot, refusals that hold the message and lose nothing, a
document with Sources, and the memory page's Attached line."""

from __future__ import annotations

from models.attachments import Attachment
from models.store import ConversationStore
from tests.app_driver import MEMORY_PAGE, assert_no_exception, click, start_app, transcript, unescape
from tests.attachments.files import make_image, make_pdf
from view.attachments import CANCELLED, DESCRIBE, Pending

VISION = "qwen/qwen3.8-27b"


def send_files(app, text: str | None, *files: tuple[str, bytes, str]):
    box = app.chat_input[0]
    if text is not None:
        box.set_value(text)
    for name, data, media_type in files:
        box.upload(name, data, media_type)
    app.run()
    assert_no_exception(app)
    return app


def image_captions(app) -> list[str]:
    """The captions under the thumbnails the page shows."""
    return [caption for image in app.get("image") for caption in image.captions]


def captions(app) -> list[str]:
    return [unescape(caption.value) for caption in app.main.caption]


def test_an_image_without_words_asks_describe_this_and_offers_a_model_that_reads_images(app_env):
    app = start_app()
    send_files(app, None, ("photo.png", make_image((320, 240)), "image/png"))

    # gpt-oss cannot read images: nothing was sent, the message is held with its thumbnail and the offer
    assert app_env.chat_requests() == []
    assert [info.value for info in app.info][0].startswith("`openai/gpt-oss-120b` can't read images")
    assert transcript(app) == [("user", DESCRIBE)] and image_captions(app) == ["photo.png"]

    click(app, f"Answer with {VISION}")

    [request] = app_env.chat_requests()
    assert request["model"] == VISION
    assert transcript(app)[-1][1].endswith(f"Echo: {DESCRIBE} · Saw image/png 320x240.")
    assert image_captions(app) == ["photo.png"]
    assert captions(app)[-1].startswith(VISION)  # the answer names the model it came from
    assert captions(app)[0].endswith("openai/gpt-oss-120b")  # and the page's model is still the chosen one


def test_refused_files_hold_the_message_with_a_sentence_each_and_send_sends_the_rest(app_env):
    app = start_app(MEMORY_PAGE)
    send_files(app, "Summarise these", ("notes.txt", b"Remember the milk.", "text/plain"),
               ("empty.md", b"", "text/markdown"), ("fake.pdf", b"hello, not a pdf", "application/pdf"))

    assert app_env.chat_requests() == []
    warnings = [warning.value for warning in app.warning]
    assert len(warnings) == 2 and "empty.md" in warnings[0] and "fake.pdf" in warnings[1]
    assert transcript(app) == [("user", "Summarise these")]

    click(app, "Send")

    assert "Remember the milk." in str(app_env.chat_requests()[-1]["messages"])
    assert any("notes.txt" in caption for caption in captions(app))
    assert app.warning == [] or all("notes.txt" not in warning.value for warning in app.warning)


def test_a_document_is_cited_with_sources_and_listed_as_attached_until_removed(app_env):
    app = start_app(MEMORY_PAGE)
    pdf = make_pdf([["Opening hours are 9 to 5."], ["The museum is closed on Mondays."]])
    send_files(app, "When is it closed?", ("museum.pdf", pdf, "application/pdf"))

    answer = transcript(app)[-1][1]
    assert "[museum.pdf p. 2]" in answer
    [sources] = [expander for expander in app.expander if expander.label.startswith("Sources")]
    assert "The museum is closed on Mondays." in [text.value for text in sources.text]
    assert "Attached:" in captions(app) and any("museum.pdf · 2 pages" in c for c in captions(app))

    [remove] = [button for button in app.button if button.help and "museum.pdf" in button.help]
    remove.click().run()
    assert not any("Attached:" == c for c in captions(app))
    app.chat_input[0].set_value("And on Sundays?").run()
    assert "<passage" not in str(app_env.chat_requests()[-1]["messages"])


def test_discard_forgets_a_held_message(app_env):
    app = start_app()
    send_files(app, "look", ("a.png", make_image((64, 64)), "image/png"))
    click(app, "Discard")
    assert transcript(app) == [] and app_env.chat_requests() == []


def test_a_cancelled_reading_keeps_the_message_and_what_was_read(app_env, conversations_dir):
    app = start_app()
    notes = ConversationStore(conversations_dir).files.put(b"Buy bread.")
    # What the run a click on Cancel interrupted leaves: the message, the file read before, not `read`.
    app.session_state["simple.pending"] = Pending("Summarise", "openai/gpt-oss-120b", read=False, attachments=[
        Attachment("notes.txt", "document", notes, "text/plain", 10)])
    app.run()

    assert [warning.value for warning in app.warning] == [CANCELLED] and app_env.chat_requests() == []
    assert transcript(app) == [("user", "Summarise")] and "notes.txt · 10 B" in " ".join(captions(app))

    click(app, "Send")
    assert "Buy bread." in str(app_env.chat_requests()[-1]["messages"])


def test_regenerate_and_edit_keep_the_question_s_files(app_env):
    app = start_app()
    send_files(app, "What colour?", ("note.txt", b"The door is green.", "text/plain"))
    click(app, "Regenerate")
    assert "The door is green." in str(app_env.chat_requests()[-1]["messages"])
    assert sum("note.txt · 18 B" in caption for caption in captions(app)) == 1

    app.session_state["simple.edit"] = True  # the Edit menu open, as a click on it leaves it
    app.run()
    [box] = [box for box in app.text_area if box.label == "Your message"]
    box.set_value("Which colour exactly?")
    click(app, "Send")
    assert "The door is green." in str(app_env.chat_requests()[-1]["messages"])
    assert transcript(app)[0] == ("user", "Which colour exactly?") and any("note.txt" in c for c in captions(app))


def test_retry_and_edit_of_a_question_with_images_say_so_again_and_offer_a_model_that_reads_them(app_env):
    app = start_app()
    send_files(app, "What is this?", ("photo.png", make_image((64, 48)), "image/png"))
    app_env.fail_with(500)
    click(app, f"Answer with {VISION}")
    assert transcript(app)[-1][0] == "error" and len(app_env.chat_requests()) == 1

    click(app, "Retry")  # the page's model, gpt-oss, cannot read the photo: nothing is sent, it says so
    assert len(app_env.chat_requests()) == 1
    assert [info.value for info in app.info][0].startswith("`openai/gpt-oss-120b` can't read images")
    assert transcript(app) == [("user", "What is this?")] and image_captions(app) == ["photo.png"]
    click(app, f"Answer with {VISION}")
    assert app_env.chat_requests()[-1]["model"] == VISION
    assert transcript(app) == [("user", "What is this?"), ("assistant", transcript(app)[-1][1])]
    assert transcript(app)[-1][1].endswith("Echo: What is this? · Saw image/png 64x48.")

    app.session_state["simple.edit"] = True  # the Edit menu open, as a click on it leaves it
    app.run()
    [box] = [box for box in app.text_area if box.label == "Your message"]
    box.set_value("What colour is it?")
    app_env.fail_with(500)
    click(app, "Send")  # answered before by the model that reads images: that model again, no question
    assert app_env.chat_requests()[-1]["model"] == VISION and len(app_env.chat_requests()) == 3
    assert transcript(app)[-1][0] == "error"

    click(app, "Retry")
    assert len(app_env.chat_requests()) == 3 and "can't read images" in app.info[0].value
    click(app, "Send without the images")
    request = app_env.chat_requests()[-1]
    assert request["model"] == "openai/gpt-oss-120b" and "image_url" not in str(request["messages"])
    assert transcript(app)[0] == ("user", "What colour is it?") and image_captions(app) == []
    assert len(transcript(app)) == 2
