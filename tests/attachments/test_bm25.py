"""The chunk-by-chunk BM25 index (models.attachments._bm25) is the one bm25s builds itself from every
chunk's word ids at once, to the bit, and ranks as bm25s ranks."""

from __future__ import annotations

import bm25s
import numpy
import Stemmer
from bm25s.tokenization import Tokenizer

from models.attachments._bm25 import TOKEN_PATTERN, ChunkSearch
from tests.attachments.files import PLANTED_FACT, PLANTED_QUESTION, report_pages

TEXTS = [" ".join(lines) for lines in report_pages(40)] + [
    "", "a b c 1 2", "Römische Brücke über den Fluß; ferry ferries ferrying.", "The the THE and of."]


def _bm25s_own(texts: list[str]) -> bm25s.BM25:
    """bm25s's index of `texts`, its words ids all at once, tokenised as ChunkSearch tokenises."""
    words = Tokenizer(stemmer=Stemmer.Stemmer("english").stemWord, stopwords="en", splitter=TOKEN_PATTERN)
    ids = list(words.streaming_tokenize(texts))
    own = bm25s.BM25()
    own.index((ids, words.get_vocab_dict()), show_progress=False)
    return own


def test_the_streamed_index_is_bm25s_own() -> None:
    streamed, own = ChunkSearch(lambda: iter(TEXTS))._bm25, _bm25s_own(TEXTS)
    assert streamed.vocab_dict == own.vocab_dict and len(own.vocab_dict) > 60
    assert streamed.scores["num_docs"] == own.scores["num_docs"] == len(TEXTS)
    for part in ("data", "indices", "indptr"):
        assert streamed.scores[part].dtype == own.scores[part].dtype, part
        assert numpy.array_equal(streamed.scores[part], own.scores[part]), part


def test_it_ranks_as_bm25s_ranks() -> None:
    texts = TEXTS[:17] + [PLANTED_FACT] + TEXTS[17:]
    search, own = ChunkSearch(lambda: iter(texts)), _bm25s_own(texts)
    ranked = search.ranked(PLANTED_QUESTION)
    assert ranked[0] == 17
    stems = bm25s.tokenize(PLANTED_QUESTION, stopwords="en", stemmer=Stemmer.Stemmer("english"),
                           token_pattern=TOKEN_PATTERN, return_ids=False, show_progress=False)[0]
    numbers, scores = own.retrieve([[stem for stem in stems if stem in own.vocab_dict]], k=len(texts),
                                   show_progress=False)
    assert ranked == [int(number) for number, score in zip(numbers[0], scores[0], strict=True) if score > 0]
    assert search.ranked("zebra xylophone") == []
