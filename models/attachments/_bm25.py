"""BM25 over a document's chunks, built in two passes over their text so that no word of it is kept.

bm25s (with PyStemmer's English stemmer, tokenised as llama-index-retrievers-bm25's BM25Retriever
does: English stop words, its token pattern) builds its index from every chunk's word ids at once,
then from three arrays as long as all the chunks' distinct words together, then from its matrix made
of those: most of the server's memory while indexing a long document (B11's budget is 2x the file).
Here its documented hook, `build_index_from_ids`, is given the chunks as a stream instead: a first
pass counts each chunk's words and the chunks each stem is in, which fixes where every score goes in
the matrix (scipy's compressed sparse columns, as bm25s keeps it); a second pass tokenises the chunks
again (stems are cached by then) and writes each one's scores, computed by bm25s's own functions,
straight into that matrix. The result is the index `bm25s.BM25.index` would make, searched by bm25s."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import bm25s  # this module is imported only when an index is built (by _index)

TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # BM25Retriever's


class ChunkSearch:
    """BM25 over the texts that each call of `texts()` yields (the chunks, in order), and its stemmer."""

    def __init__(self, texts: Callable[[], Iterable[str]]) -> None:
        import Stemmer
        from bm25s.tokenization import Tokenizer

        self._stemmer = Stemmer.Stemmer("english")
        words = Tokenizer(stemmer=self._stemmer.stemWord, stopwords="en", splitter=TOKEN_PATTERN)
        self._bm25 = _StreamedBM25()
        self._bm25.index(_Corpus(texts, words), show_progress=False)

    def ranked(self, question: str) -> list[int]:
        """Numbers of the texts holding a word of `question`, best first."""
        stems = bm25s.tokenize(question, stopwords="en", stemmer=self._stemmer, token_pattern=TOKEN_PATTERN,
                               return_ids=False, show_progress=False)[0]
        known = [stem for stem in stems if stem in self._bm25.vocab_dict]
        if not known:
            return []
        every = self._bm25.scores["num_docs"]
        numbers, scores = self._bm25.retrieve([known], k=every, show_progress=False)
        return [int(number) for number, score in zip(numbers[0], scores[0], strict=True) if score > 0]


class _Corpus:
    """The chunks as bm25s reads a tokenised corpus (`ids`, `vocab`): `ids` tokenises them again at
    each pass; made, it has tokenised them once, for the vocabulary, lengths and stems' chunk counts."""

    def __init__(self, texts: Callable[[], Iterable[str]], words) -> None:
        self._texts, self._words = texts, words
        self.lengths, self.frequencies = [], Counter()
        for ids in self._stream():
            self.lengths.append(len(ids))
            self.frequencies.update(set(ids))
        self.vocab = words.get_vocab_dict()
        self.ids = self

    def _stream(self) -> Iterator[list[int]]:
        return self._words.streaming_tokenize(self._texts())

    def __iter__(self) -> Iterator[list[int]]:
        return self._stream()


class _StreamedBM25(bm25s.BM25):
    """bm25s.BM25 whose index is written chunk by chunk from a `_Corpus` (the module says why)."""

    def build_index_from_ids(self, unique_token_ids, corpus_token_ids, show_progress=True, leave_progress=False):
        import numpy
        from bm25s.scoring import _build_idf_array, _select_idf_scorer, _select_tfc_scorer

        if self.method in self.methods_requiring_nonoccurrence:
            raise ValueError(f"{self.method} is not built chunk by chunk")
        self.nonoccurrence_array = None
        corpus: _Corpus = corpus_token_ids
        lengths, vocabulary = corpus.lengths, len(unique_token_ids)
        frequencies = {token: corpus.frequencies.get(token, 0) for token in range(vocabulary)}
        idf = _build_idf_array(frequencies, len(lengths), _select_idf_scorer(self.idf_method), self.dtype)
        tfc = _select_tfc_scorer(self.method)
        average = numpy.array(lengths).mean() if lengths else 0.0
        # Column t holds the scores of the chunks with stem t, in chunk order: its place is known now.
        starts = numpy.zeros(vocabulary + 1, dtype=numpy.int32)
        numpy.cumsum([frequencies[token] for token in range(vocabulary)], out=starts[1:])
        data = numpy.empty(int(starts[-1]), dtype=self.dtype)
        chunks = numpy.empty(int(starts[-1]), dtype=numpy.int32)
        free = starts[:-1].copy()  # the next free place in each column
        for number, ids in enumerate(corpus.ids):
            if not ids:
                continue
            stems, counts = numpy.unique(numpy.array(ids, dtype=numpy.int32), return_counts=True)
            scores = idf[stems] * tfc(tf_array=counts.astype(self.dtype), l_d=len(ids), l_avg=average,
                                      k1=self.k1, b=self.b, delta=self.delta)
            places = free[stems]
            data[places] = scores
            chunks[places] = number
            free[stems] += 1
        return {"data": data, "indices": chunks, "indptr": starts, "num_docs": len(lengths)}
