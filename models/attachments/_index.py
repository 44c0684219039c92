"""A document split into chunks and indexed with BM25."""

from __future__ import annotations

from models.attachments._records import DocumentText, Passage


class DocumentIndex:
    tokens: int

    @classmethod
    def build(cls, document: DocumentText, settings, *, progress=None, cancel=None) -> DocumentIndex:
        raise NotImplementedError("DocumentIndex is being written on branch i15-files")

    def whole(self) -> list[Passage]:
        raise NotImplementedError

    def retrieve(self, question: str, token_budget: int) -> list[Passage]:
        raise NotImplementedError

    def to_bytes(self) -> bytes:
        raise NotImplementedError

    @classmethod
    def from_bytes(cls, data: bytes) -> DocumentIndex:
        raise NotImplementedError
