"""Chunks and BM25: a planted fact is found in a 300-page PDF, within the token budget, with its page."""

from __future__ import annotations

import random
import string
import threading
from dataclasses import replace

import pytest
from llama_index.core.utils import get_tokenizer

from models.attachments import DocumentIndex, DocumentText, IndexingCancelled, Passage, read_document
from tests.attachments.files import PLANTED_FACT, PLANTED_PAGE, PLANTED_QUESTION, make_pdf, report_pages


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple:
    """The 300-page report read and indexed once for the module (the defaults' chunk size)."""
    from settings import load_settings

    missing = str(tmp_path_factory.mktemp("settings") / "none")
    settings = load_settings({"BNAGPT_SECRETS_FILE": missing, "BNAGPT_DOTENV_FILE": missing})
    document = read_document("council report.pdf", make_pdf(report_pages(300)), settings)
    return settings, document, DocumentIndex.build(document, settings)


def test_the_planted_fact_is_retrieved_from_300_pages(report) -> None:
    settings, document, index = report
    assert document.page_count == 300 and index.tokens > 100_000  # far beyond any free-tier request
    passages = index.retrieve(PLANTED_QUESTION, token_budget=1500)
    assert passages, "nothing retrieved"
    best = passages[0]
    assert PLANTED_FACT in best.text and best.page == str(PLANTED_PAGE) and best.file == "council report.pdf"


def test_retrieval_fills_the_budget_and_never_exceeds_it(report) -> None:
    settings, _, index = report
    count = get_tokenizer()
    for budget in (300, 1500, 4000):
        passages = index.retrieve("budget council meeting harbour ferry", token_budget=budget)
        used = sum(len(count(passage.text)) for passage in passages)
        assert used <= budget and used > budget - settings.chunk_tokens - 10, (budget, used)


def test_chunks_keep_to_their_page_and_size(report) -> None:
    settings, document, index = report
    count = get_tokenizer()
    pages = {page.page: page.text for page in document.pages}
    for passage in index.retrieve("station timetable river", token_budget=20_000):
        assert passage.text.strip() in pages[passage.page]  # never across two pages
        assert len(count(passage.text)) <= settings.chunk_tokens


def test_a_question_with_no_word_in_the_document_gets_its_start(report) -> None:
    _, _, index = report
    passages = index.retrieve("zebra xylophone", token_budget=600)
    assert passages and passages[0].page == "1"


def test_a_small_document_goes_whole(limits) -> None:
    document = read_document("memo.pdf", make_pdf([["Lunch is at noon."], ["Bring a hat."]]), limits)
    index = DocumentIndex.build(document, limits)
    assert [(page.page, page.text.strip()) for page in index.whole()] == [("1", "Lunch is at noon."),
                                                                           ("2", "Bring a hat.")]
    assert 0 < index.tokens < 20


def test_the_index_round_trips_through_bytes(report) -> None:
    _, _, index = report
    again = DocumentIndex.from_bytes(index.to_bytes())
    assert again.tokens == index.tokens and again.whole() == index.whole()
    assert again.retrieve(PLANTED_QUESTION, 1500) == index.retrieve(PLANTED_QUESTION, 1500)
    with pytest.raises(ValueError):
        DocumentIndex.from_bytes(b"not an index")


def test_building_reports_progress_and_can_be_cancelled(limits) -> None:
    document = read_document("r.pdf", make_pdf(report_pages(8)), replace(limits, chunk_tokens=200))
    seen = []
    DocumentIndex.build(document, limits, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(done, 8) for done in range(1, 9)]
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(IndexingCancelled):
        DocumentIndex.build(document, limits, cancel=cancel)


def test_a_document_of_more_than_65536_distinct_words_is_searched_too(limits) -> None:
    """More stems than two bytes number: the index still finds the rare word."""
    rng = random.Random(7)
    words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(9)) for _ in range(70_000)]
    pages = tuple(Passage("words.txt", None, " ".join(words[start:start + 500]) + ".")
                  for start in range(0, len(words), 500))
    index = DocumentIndex.build(DocumentText("words.txt", pages), limits)
    [best, *_] = index.retrieve(words[69_999], token_budget=500)
    assert words[69_999] in best.text
