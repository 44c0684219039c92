"""A document split into chunks with BM25 over them: offline, no embedding service. Chunks never cross
a page, so each cites the one page it is from.

Chunks are cut by LlamaIndex's SentenceSplitter and kept as places in their page's text (not copies),
and BM25 is bm25s with PyStemmer's English stemmer (_bm25), tokenised as llama-index-retrievers-bm25's
BM25Retriever does (English stop words, its token pattern). The retriever itself is not used: it
keeps each chunk again as a node's JSON, which would double the text in the server's memory (B11's
budget is 2x the file). LlamaIndex and bm25s are imported only when an index is built or searched."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from threading import Event

from models.attachments._records import DocumentText, IndexingCancelled, Passage

FORMAT = 2
# Sentences end at . ! ? (and their CJK forms) followed by space. SentenceSplitter's default
# finds them with NLTK's punkt, which it downloads from the internet on first use: not offline.
SENTENCE = re.compile(r"[^.!?。？！]*(?:[.!?。？！]+\s*|$)")
Chunk = tuple[int, int, int, int]  # page number (from 0), start and end in its text, tokens


def _sentences(text: str) -> list[str]:
    """The text cut after each sentence's end (and the space after it); joined, they are the text."""
    return [sentence for sentence in SENTENCE.findall(text) if sentence]


class DocumentIndex:
    """A document's pages, its chunks, their token counts, and (built when first needed) BM25."""

    def __init__(self, name: str, pages: list[tuple[Passage, int]], chunks: list[Chunk],
                 page_count: int | None = None) -> None:
        self.name = name
        self.page_count = page_count
        self._pages = pages  # (passage, tokens) for each page, or the whole file
        self._chunks = chunks  # in document order
        self.tokens = sum(tokens for _, tokens in pages)  # the whole document's token count
        self._bm25 = None

    @classmethod
    def build(cls, document: DocumentText, settings, *, progress: Callable[[int, int], None] | None = None,
              cancel: Event | None = None) -> DocumentIndex:
        """Split `document` into chunks of `settings.chunk_tokens` and index them; progress(done, total)
        per page, IndexingCancelled once `cancel` is set."""
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.utils import get_tokenizer

        tokenizer = get_tokenizer()  # the one LlamaIndex's memory counts with, as the seam does
        splitter = SentenceSplitter(chunk_size=settings.chunk_tokens, chunk_overlap=settings.chunk_overlap,
                                    tokenizer=tokenizer, chunking_tokenizer_fn=_sentences)
        pages, chunks = [], []
        total = len(document.pages)
        for number, page in enumerate(document.pages):
            if cancel is not None and cancel.is_set():
                raise IndexingCancelled()
            pages.append((page, len(tokenizer(page.text))))
            start = 0
            for text in splitter.split_text(page.text) if page.text.strip() else ():
                start = page.text.find(text, start)
                if start < 0:  # never seen: the splitter keeps each chunk's characters as they were
                    raise ValueError("a chunk is not in its page's text")
                chunks.append((number, start, start + len(text), len(tokenizer(text))))
                start += 1  # the next chunk overlaps this one, starting after its start
            if progress is not None:
                progress(number + 1, total)
        index = cls(document.name, pages, chunks, document.page_count)
        index._search()  # now, while the person watches the progress, not at their first question
        return index

    def whole(self) -> list[Passage]:
        """Every page (or the whole text), for a document that fits the request's budget."""
        return [page for page, _ in self._pages]

    def retrieve(self, question: str, token_budget: int) -> list[Passage]:
        """The chunks that best answer `question` (BM25), best first, as many as fit `token_budget`
        tokens; the document's first chunks when no word of the question occurs in it."""
        order = self._ranked(question) or range(len(self._chunks))
        chosen, left = [], token_budget
        for number in order:
            page_number, start, end, tokens = self._chunks[number]
            if tokens <= left:
                page = self._pages[page_number][0]
                chosen.append(Passage(page.file, page.page, page.text[start:end]))
                left -= tokens
        return chosen

    def _ranked(self, question: str) -> list[int]:
        """Chunk numbers holding a word of `question`, best first."""
        if not self._chunks or not question.strip():
            return []
        return self._search().ranked(question)

    def _search(self):
        """BM25 over the chunks, built once."""
        if self._bm25 is None:
            from models.attachments._bm25 import ChunkSearch

            pages, chunks = self._pages, self._chunks
            self._bm25 = ChunkSearch(lambda: (pages[page][0].text[start:end] for page, start, end, _ in chunks))
        return self._bm25

    def to_bytes(self) -> bytes:
        """The pages and chunks with their token counts, compressed, to cache beside the file
        (BM25 is rebuilt from the chunks when first searched: quicker than storing it)."""
        document = {"format": FORMAT, "name": self.name, "page_count": self.page_count,
                    "pages": [[page.page, page.text, tokens] for page, tokens in self._pages],
                    "chunks": self._chunks}
        return zlib.compress(json.dumps(document, ensure_ascii=False).encode("utf-8"), 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> DocumentIndex:
        """An index from `to_bytes`; ValueError when the bytes are not one (the cache is then rebuilt)."""
        try:
            document = json.loads(zlib.decompress(data))
            if document.get("format") != FORMAT:
                raise ValueError("another format")
            name = document["name"]
            pages = [(Passage(name, page, text), int(tokens)) for page, text, tokens in document["pages"]]
            chunks = [(int(page), int(start), int(end), int(tokens)) for page, start, end, tokens in document["chunks"]]
            if any(not 0 <= page < len(pages) for page, *_ in chunks):
                raise ValueError("a chunk of no page")
            return cls(name, pages, chunks, document.get("page_count"))
        except (zlib.error, TypeError, KeyError, AttributeError, ValueError) as error:
            raise ValueError(f"not a document index: {error}") from None
