"""A document split into chunks with BM25 over them (llama-index-retrievers-bm25: bm25s and PyStemmer,
offline, no embedding service). Chunks never cross a page, so each cites the one page it is from.
LlamaIndex is imported only when an index is built or searched."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from threading import Event

from models.attachments._records import DocumentText, IndexingCancelled, Passage

FORMAT = 1
# Sentences end at . ! ? (and their CJK forms) followed by space. SentenceSplitter's default
# finds them with NLTK's punkt, which it downloads from the internet on first use: not offline.
SENTENCE = re.compile(r"[^.!?。？！]*(?:[.!?。？！]+\s*|$)")


def _sentences(text: str) -> list[str]:
    """The text cut after each sentence's end (and the space after it); joined, they are the text."""
    return [sentence for sentence in SENTENCE.findall(text) if sentence]


class DocumentIndex:
    """A document's pages and chunks, their token counts, and (built when first needed) BM25."""

    def __init__(self, name: str, pages: list[tuple[Passage, int]], chunks: list[tuple[Passage, int]],
                 page_count: int | None = None) -> None:
        self.name = name
        self.page_count = page_count
        self._pages = pages  # (passage, tokens) for each page, or the whole file
        self._chunks = chunks  # (passage, tokens) in document order
        self.tokens = sum(tokens for _, tokens in pages)  # the whole document's token count
        self._retriever = None

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
        for done, page in enumerate(document.pages, 1):
            if cancel is not None and cancel.is_set():
                raise IndexingCancelled()
            pages.append((page, len(tokenizer(page.text))))
            for text in splitter.split_text(page.text) if page.text.strip() else ():
                chunks.append((Passage(page.file, page.page, text), len(tokenizer(text))))
            if progress is not None:
                progress(done, total)
        index = cls(document.name, pages, chunks, document.page_count)
        index._bm25()  # now, while the person watches the progress, not at their first question
        return index

    def whole(self) -> list[Passage]:
        """Every page (or the whole text), for a document that fits the request's budget."""
        return [page for page, _ in self._pages]

    def retrieve(self, question: str, token_budget: int) -> list[Passage]:
        """The chunks that best answer `question` (BM25), best first, as many as fit `token_budget`
        tokens; the document's first chunks when no word of the question occurs in it."""
        ranked = self._ranked(question)
        order = ranked or range(len(self._chunks))
        chosen, left = [], token_budget
        for number in order:
            passage, tokens = self._chunks[number]
            if tokens <= left:
                chosen.append(passage)
                left -= tokens
        return chosen

    def _ranked(self, question: str) -> list[int]:
        """Chunk numbers holding a word of `question`, best first."""
        if not self._chunks or not question.strip():
            return []
        from llama_index.core.schema import QueryBundle

        retriever = self._bm25()
        retriever.similarity_top_k = len(self._chunks)
        return [int(found.node.node_id) for found in retriever.retrieve(QueryBundle(question))
                if (found.score or 0) > 0]

    def _bm25(self):
        """The BM25 retriever over the chunks, built once."""
        if self._retriever is None and self._chunks:
            from llama_index.core.schema import TextNode
            from llama_index.retrievers.bm25 import BM25Retriever

            nodes = [TextNode(id_=str(number), text=passage.text) for number, (passage, _) in enumerate(self._chunks)]
            self._retriever = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=len(nodes))
        return self._retriever

    def to_bytes(self) -> bytes:
        """The pages and chunks with their token counts, compressed, to cache beside the file
        (BM25 is rebuilt from the chunks when first searched: quicker than storing it)."""
        document = {"format": FORMAT, "name": self.name, "page_count": self.page_count,
                    "pages": [[page.page, page.text, tokens] for page, tokens in self._pages],
                    "chunks": [[chunk.page, chunk.text, tokens] for chunk, tokens in self._chunks]}
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
            chunks = [(Passage(name, page, text), int(tokens)) for page, text, tokens in document["chunks"]]
            return cls(name, pages, chunks, document.get("page_count"))
        except (zlib.error, TypeError, KeyError, AttributeError, ValueError) as error:
            raise ValueError(f"not a document index: {error}") from None
