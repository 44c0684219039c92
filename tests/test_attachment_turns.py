"""Turns with attached files, through the real controllers, LlamaIndex agent and memory, against the fake
Groq: what reached it (image_url parts on user messages, delimited passages, placeholders for old images)
and what the person keeps (attachments on the question, sources on the answer)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from controller.attachments import FileIntake
from controller.memory_chat import MemoryChatController
from controller.simple_chat import SimpleChatController
from tests.attachments.files import PLANTED_FACT, PLANTED_PAGE, PLANTED_QUESTION, make_image, make_pdf, report_pages
from tests.conftest import answer_text
from utils.llm import Waiting
from utils.llm.attachments import PLACEHOLDER, UNSEEN, data_url_tokens, image_tokens

VISION = "qwen/qwen3.8-27b"


def attach(controller, *files: tuple[str, bytes]):
    """The files read and kept as the chat box's would be: (attachments, refusal sentences)."""
    intake = FileIntake(list(files), controller.files, controller.settings)
    progress = list(intake.run())
    return intake.attachments, intake.problems, progress


def image_parts(body: dict) -> list[tuple[int, str]]:
    """(message index, role) of every image_url part in a recorded request."""
    return [(index, message["role"]) for index, message in enumerate(body["messages"])
            if isinstance(message["content"], list) for part in message["content"] if part["type"] == "image_url"]


def texts(body: dict) -> list[str]:
    out = []
    for message in body["messages"]:
        content = message["content"]
        out.append(content if isinstance(content, str) else "".join(p.get("text", "") for p in content))
    return out


@pytest.fixture
def vision_chat(memory_chat: MemoryChatController) -> MemoryChatController:
    memory_chat.set_assistant(replace(memory_chat.assistant, model=VISION))
    return memory_chat


def test_an_image_reaches_the_model_on_a_user_message_and_stays_with_the_question(vision_chat, fake_groq):
    attachments, problems, _ = attach(vision_chat, ("photo.png", make_image((640, 480))))
    assert problems == [] and [a.kind for a in attachments] == ["image"]

    answer = answer_text(vision_chat.stream_reply("What is in this picture?", attachments))

    body = fake_groq.chat_requests()[-1]
    assert image_parts(body) == [(len(body["messages"]) - 2, "user")]  # just before the question
    assert "photo.png" in texts(body)[-2] and texts(body)[-1] == "What is in this picture?"
    assert answer.endswith("Echo: What is in this picture? · Saw image/png 640x480.")
    assert vision_chat.messages[0].attachments == tuple(attachments)


def test_an_image_is_sent_with_the_next_turns_then_becomes_a_placeholder(vision_chat, fake_groq, monkeypatch):
    vision_chat.settings = replace(vision_chat.settings, image_turns_kept=1)
    attachments, _, _ = attach(vision_chat, ("chart.png", make_image((300, 200))))
    answer_text(vision_chat.stream_reply("Look", attachments))
    answer_text(vision_chat.stream_reply("And now?"))
    answer_text(vision_chat.stream_reply("And later?"))

    first, second, third = fake_groq.chat_requests()
    assert len(image_parts(first)) == len(image_parts(second)) == 1
    assert image_parts(second)[0][1] == "user" and "Look" in texts(second)[image_parts(second)[0][0]]
    assert image_parts(third) == []
    placeholder = PLACEHOLDER.format(names="chart.png", s="")
    assert any(text.startswith("Look") and text.endswith(placeholder) for text in texts(third))


def test_a_model_that_cannot_read_images_gets_placeholders_and_a_turn_can_use_one_that_can(memory_chat, fake_groq):
    attachments, _, _ = attach(memory_chat, ("cat.jpg", make_image((200, 200), "JPEG")))
    model = memory_chat.assistant.model

    answer = answer_text(memory_chat.stream_reply("What animal?", attachments, model=VISION))
    answer_text(memory_chat.stream_reply("Thanks"))

    with_image, without = fake_groq.chat_requests()
    assert with_image["model"] == VISION and len(image_parts(with_image)) == 1 and "Saw image/jpeg 200x200" in answer
    assert memory_chat.messages[1].details.model == VISION and memory_chat.assistant.model == model  # never switched
    assert without["model"] == model and image_parts(without) == []
    assert any(PLACEHOLDER.format(names="cat.jpg", s="") in text for text in texts(without))

    answer_text(memory_chat.stream_reply("Look again", attachments))  # to gpt-oss: told of the image it can't see
    assert image_parts(fake_groq.chat_requests()[-1]) == []
    assert texts(fake_groq.chat_requests()[-1])[-2] == UNSEEN.format(names="cat.jpg", s="")

    del memory_chat.messages[2:]  # back to the turn with the image: Regenerate keeps the model that read it
    answer_text(memory_chat.stream_regenerated())
    assert fake_groq.chat_requests()[-1]["model"] == VISION and len(image_parts(fake_groq.chat_requests()[-1])) == 1


def test_a_short_document_goes_whole_and_the_answer_cites_it_with_its_sources(memory_chat, fake_groq):
    pdf = make_pdf([["The meeting is on Tuesday."], ["The budget is 12,000 euros."]])
    attachments, problems, progress = attach(memory_chat, ("minutes.pdf", pdf))
    assert problems == [] and attachments[0].pages == 2 and attachments[0].label() == "minutes.pdf · 2 pages"
    assert progress and progress[-1].fraction == 1.0

    answer = answer_text(memory_chat.stream_reply("What is the budget?", attachments))

    passages = texts(fake_groq.chat_requests()[-1])[-2]
    assert "not instructions" in passages and '<passage source="minutes.pdf p. 2">' in passages
    assert "[minutes.pdf p. 1] “The meeting is on Tuesday.”" in answer and "[minutes.pdf p. 2]" in answer
    assert [(p.file, p.page) for p in memory_chat.messages[1].sources] == [("minutes.pdf", "1"), ("minutes.pdf", "2")]


def test_a_long_document_is_retrieved_per_question_within_the_free_tier(memory_chat, fake_groq):
    hundred_pages = report_pages(300)[PLANTED_PAGE - 60:PLANTED_PAGE + 40]  # the planted fact on page 60
    attachments, _, _ = attach(memory_chat, ("report.pdf", make_pdf(hundred_pages)))
    answer = answer_text(memory_chat.stream_reply(PLANTED_QUESTION, attachments))

    record = [r for r in fake_groq.requests if r.body and r.body.get("messages")][-1]
    assert record.status == 200 and record.requested <= 8000
    sources = memory_chat.messages[1].sources
    assert any(PLANTED_FACT in passage.text for passage in sources) and len(sources) < 30
    assert next(p.page for p in sources if PLANTED_FACT in p.text) == "60" and "[report.pdf p. " in answer
    first_passages = len(sources)
    # Later turns use it too; in the same minute, which the first used much of, with fewer passages at once.
    events = list(memory_chat.stream_reply("And what about the council ferry timetable?"))
    assert not any(isinstance(event, Waiting) and event.seconds for event in events)
    record = [r for r in fake_groq.requests if r.body and r.body.get("messages")][-1]
    assert record.status == 200 and "<passage source=\"report.pdf p." in texts(record.body)[-2]
    assert 0 < len(memory_chat.messages[-1].sources) < first_passages


def test_a_removed_document_is_no_longer_used_and_stays_removed_after_load(memory_chat, fake_groq, store):
    attachments, _, _ = attach(memory_chat, ("notes.md", b"# Notes\n\nThe password hint is blue.\n"))
    answer_text(memory_chat.stream_reply("Hint?", attachments))
    memory_chat.save("With notes")
    assert [a.name for a in memory_chat.conversation_files()] == ["notes.md"]

    memory_chat.remove_file(attachments[0].digest)
    answer_text(memory_chat.stream_reply("Again?"))
    assert "<passage" not in "".join(texts(fake_groq.chat_requests()[-1]))

    again = MemoryChatController(memory_chat.settings, store)
    again.load("With notes")
    assert again.conversation_files() == [] and again.messages[0].attachments == tuple(attachments)


def test_refused_files_each_get_a_sentence_naming_them_and_the_others_are_kept(memory_chat):
    attachments, problems, _ = attach(memory_chat, ("ok.txt", b"fine"), ("empty.txt", b""),
                                      ("virus.exe", b"MZ"), ("fake.png", b"not a png at all"))
    assert [a.name for a in attachments] == ["ok.txt"]
    assert len(problems) == 3 and all(name in problem for name, problem in
                                      zip(("empty.txt", "virus.exe", "fake.png"), problems, strict=True))


def test_more_images_than_a_request_takes_are_refused_by_name(memory_chat):
    images = [(f"p{i}.png", make_image((50 + i, 50))) for i in range(6)]
    attachments, problems, _ = attach(memory_chat, *images)
    assert len(attachments) == 5 and problems == ["“p5.png” was left out: a message takes at most 5 images."]


def test_the_simple_page_answers_with_a_message_s_own_files(settings, store, fake_groq):
    chat = SimpleChatController(settings)
    chat.files = store.files
    attachments, _, _ = attach(chat, ("list.csv", b"name,qty\napples,3\npears,5\n"))
    answer = answer_text(chat.stream_reply("How many pears?", attachments))
    assert "pears" in texts(fake_groq.chat_requests()[-1])[-2] and "[list.csv]" in answer
    assert chat.messages[1].sources


def test_cancel_stops_reading_a_document_and_keeps_what_was_ready(memory_chat):
    intake = FileIntake([("first.txt", b"ready"), ("long.pdf", make_pdf(report_pages(300)))],
                        memory_chat.files, memory_chat.settings)
    progress = intake.run()
    step = next(step for step in progress if step.name == "long.pdf")
    assert (step.step, step.total) == ("Reading", 300) and step.done < 300

    progress.close()  # what a click on Cancel (a rerun) does to the page's loop

    assert intake.finished.wait(10) and intake.cancelled
    assert [a.name for a in intake.attachments] == ["first.txt"] and intake.problems == []


def test_a_big_photo_is_counted_and_shrunk_to_what_a_free_key_s_minute_pays_for(vision_chat, fake_groq):
    attachments, problems, _ = attach(vision_chat, ("big.jpg", make_image((4000, 3000), "JPEG", quality=95)))
    assert problems == []

    answer = answer_text(vision_chat.stream_reply("What is this?", attachments))

    record = [r for r in fake_groq.requests if r.body and r.body.get("messages")][-1]
    assert record.status == 200 and record.requested <= 8000  # Groq counts the image: it fits the minute
    width, height = map(int, answer.rsplit(" ", 1)[1].rstrip(".").split("x"))
    assert width / height == pytest.approx(4 / 3, rel=0.01) and width >= vision_chat.settings.image_min_side
    assert image_tokens(width, height) <= 0.5 * 8000  # its share of the request, counted as Groq counts it
    part = next(p for m in record.body["messages"] if isinstance(m["content"], list) for p in m["content"]
                if p["type"] == "image_url")
    assert data_url_tokens(part["image_url"]["url"]) == image_tokens(width, height)  # the seam counts the same
