"""Which files may be attached, told by name and checked by their bytes: a file must be what its name
says, not empty and within the upload limit. Nothing here decodes more than a file's first bytes."""

from __future__ import annotations

import io
import zipfile

from models.attachments._records import AttachmentRefused, size_label

# extension -> (kind, media type, what the person calls it)
TYPES = {
    "png": ("image", "image/png", "a PNG image"),
    "jpg": ("image", "image/jpeg", "a JPEG image"),
    "jpeg": ("image", "image/jpeg", "a JPEG image"),
    "webp": ("image", "image/webp", "a WebP image"),
    "gif": ("image", "image/gif", "a GIF image"),
    "pdf": ("document", "application/pdf", "a PDF"),
    "docx": ("document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "a Word document"),
    "txt": ("document", "text/plain", "text"),
    "md": ("document", "text/markdown", "text"),
    "markdown": ("document", "text/markdown", "text"),
    "csv": ("document", "text/csv", "text"),
}
# What the chat box's file picker offers (st.chat_input's file_type).
FILE_TYPES = tuple(TYPES)
SUPPORTED = "PNG, JPEG, WebP and GIF images, and PDF, DOCX, TXT, Markdown and CSV documents"


def extension_of(name: str) -> str:
    """The lowercased ending after the last dot, or "" (a name without one)."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem.strip() else ""


def media_type_of(name: str) -> str:
    """The media type a supported file name stands for; AttachmentRefused for any other name."""
    return _type_of(name)[1]


def kind_of(name: str) -> str:
    """"image" or "document" for a supported file name; AttachmentRefused for any other name."""
    return _type_of(name)[0]


def _type_of(name: str) -> tuple[str, str, str]:
    found = TYPES.get(extension_of(name))
    if found is None:
        raise AttachmentRefused(f"“{name}” can't be attached: only {SUPPORTED} are supported.")
    return found


def check_upload(name: str, data: bytes, settings) -> str:
    """The file's kind ("image" or "document"), once it is a supported type, not empty, within
    `settings.max_upload_mb` and its bytes are what its name says; else AttachmentRefused."""
    kind, _, called = _type_of(name)
    if not data:
        raise AttachmentRefused(f"“{name}” is empty.")
    limit = settings.max_upload_mb * 1_000_000
    if len(data) > limit:
        raise AttachmentRefused(f"“{name}” is {size_label(len(data))}, over the "
                                f"{settings.max_upload_mb:g} MB limit for an attached file.")
    if not _looks_like(extension_of(name), data):
        raise AttachmentRefused(f"“{name}” is not {called}: its contents are something else.")
    return kind


def _looks_like(extension: str, data: bytes) -> bool:
    """True when the first bytes are what the extension says (magic numbers; text must decode)."""
    head = data[:16]
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if extension == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if extension == "pdf":
        return b"%PDF-" in data[:1024]  # readers allow a little junk before the header
    if extension == "docx":
        return head.startswith(b"PK\x03\x04") and _holds_word_document(data)
    return decoded_text(data) is not None


def _holds_word_document(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def decoded_text(data: bytes) -> str | None:
    """Text files' contents: UTF-8 (with or without a BOM) or UTF-16 with a BOM; None for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text
