"""The plain records of attachments: what a message keeps (Attachment, never the bytes), the passages
a model saw (Passage), what preparing an image or reading a document gives, and the two errors."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

KINDS = ("image", "document")
_DIGEST = re.compile(r"\A[0-9a-f]{64}\Z")


class AttachmentRefused(Exception):
    """A file that cannot be attached; str(error) is one sentence naming the file and what is wrong."""


class IndexingCancelled(Exception):
    """The person cancelled reading or indexing a document."""


def size_label(size: int) -> str:
    """A byte count as a person reads it: "820 B", "14 KB", "1.2 MB"."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message, as the message and the store keep it: its bytes live in the
    store's file area under `digest` (sha256 hex), never in the message or in session state."""

    name: str  # the person's file name, shown as given; never used as a path
    kind: str  # "image" or "document"
    digest: str
    media_type: str
    size: int
    pages: int | None = None  # a PDF's pages; None for other files

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("an attachment needs a file name")
        if self.kind not in KINDS:
            raise ValueError(f"an attachment's kind must be one of {', '.join(KINDS)}")
        if not isinstance(self.digest, str) or not _DIGEST.match(self.digest):
            raise ValueError("an attachment's digest must be 64 lowercase hex digits")
        if not isinstance(self.media_type, str) or "/" not in self.media_type:
            raise ValueError("an attachment's media type must be like image/png")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 0:
            raise ValueError("an attachment's size must be a whole number of bytes")
        if self.pages is not None and (not isinstance(self.pages, int) or isinstance(self.pages, bool)):
            raise ValueError("an attachment's pages must be a whole number")

    def label(self) -> str:
        """What the person reads: "report.pdf · 42 pages", "photo.png · 1.2 MB"."""
        if self.pages is not None:
            return f"{self.name} · {self.pages} page{'' if self.pages == 1 else 's'}"
        return f"{self.name} · {size_label(self.size)}"

    def to_json(self) -> dict[str, Any]:
        """The store's JSON form (pages left out when unknown)."""
        data: dict[str, Any] = {"name": self.name, "kind": self.kind, "digest": self.digest,
                                "media_type": self.media_type, "size": self.size}
        if self.pages is not None:
            data["pages"] = self.pages
        return data

    @classmethod
    def from_json(cls, data: Any) -> Attachment:
        """An attachment from its JSON form; ValueError names what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("an attachment must be a JSON object")
        try:
            return cls(name=data["name"], kind=data["kind"], digest=data["digest"],
                       media_type=data["media_type"], size=data["size"], pages=data.get("pages"))
        except KeyError as missing:
            raise ValueError(f"an attachment lacks {missing.args[0]}") from None


@dataclass(frozen=True)
class Passage:
    """One passage a model saw: which file, which page (a PDF's page label; None for other files), the
    exact text. Cited as [file p. page] and shown in the Sources expander."""

    file: str
    page: str | None
    text: str

    def __post_init__(self) -> None:
        if not isinstance(self.file, str) or not isinstance(self.text, str):
            raise ValueError("a passage needs a file name and text")
        if self.page is not None and not isinstance(self.page, str):
            raise ValueError("a passage's page must be text")

    def citation(self) -> str:
        """How the model is asked to cite it: "[report.pdf p. 12]", or "[notes.md]" without pages."""
        return f"[{self.file} p. {self.page}]" if self.page else f"[{self.file}]"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file": self.file, "text": self.text}
        if self.page is not None:
            data["page"] = self.page
        return data

    @classmethod
    def from_json(cls, data: Any) -> Passage:
        """A passage from its JSON form; ValueError names what is wrong."""
        if not isinstance(data, dict) or "file" not in data or "text" not in data:
            raise ValueError("a passage must be an object with a file and text")
        return cls(file=data["file"], page=data.get("page"), text=data["text"])


@dataclass(frozen=True)
class PreparedImage:
    """An image ready for Groq: the bytes to send (JPEG or PNG, RGB, upright) and their size."""

    data: bytes
    media_type: str  # "image/jpeg" or "image/png"
    width: int
    height: int

    def data_url(self) -> str:
        """The image as a data URL, what an image_url part carries."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"

    @property
    def base64_size(self) -> int:
        """The length of the base64 text Groq counts against its per-request limit."""
        return len(self.data_url())


@dataclass(frozen=True)
class DocumentText:
    """A document's text as read: one Passage per page for a PDF, else one for the whole file."""

    name: str
    pages: tuple[Passage, ...]
    page_count: int | None = None  # a PDF's pages; None for other files

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)
