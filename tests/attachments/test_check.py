"""Which files may be attached: each refusal is one sentence naming the file and what is wrong."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace

import pytest

from models.attachments import FILE_TYPES, Attachment, AttachmentRefused, Passage, check_upload, media_type_of
from settings import PROJECT_DIR
from tests.attachments.files import make_docx, make_image, make_pdf


@pytest.mark.parametrize("name, data, kind", [
    ("photo.PNG", make_image((20, 10)), "image"),
    ("photo.jpeg", make_image((20, 10), "JPEG"), "image"),
    ("photo.jpg", make_image((20, 10), "JPEG"), "image"),
    ("anim.gif", make_image((20, 10), "GIF"), "image"),
    ("pic.webp", make_image((20, 10), "WEBP"), "image"),
    ("report.pdf", make_pdf([["Hello"]]), "document"),
    ("letter.docx", make_docx(["Dear Ann"]), "document"),
    ("notes.md", b"# Notes\n", "document"),
    ("notes.txt", "caf\u00e9".encode("utf-16"), "document"),
    ("table.csv", b"name,age\nAnn,31\n", "document"),
    ("my report (final) v2.pdf", make_pdf([["Hello"]]), "document"),
])
def test_supported_files_are_told_by_name_and_bytes(limits, name, data, kind) -> None:
    assert check_upload(name, data, limits) == kind


def refusal(name: str, data: bytes, settings) -> str:
    with pytest.raises(AttachmentRefused) as caught:
        check_upload(name, data, settings)
    sentence = str(caught.value)
    assert f"“{name}”" in sentence and sentence.endswith(".") and sentence.count(". ") == 0, sentence
    return sentence


def test_an_unsupported_type_is_refused_by_name(limits) -> None:
    sentence = refusal("setup.exe", b"MZ\x90\x00", limits)
    assert "can't be attached" in sentence and "PDF, DOCX, TXT, Markdown and CSV" in sentence
    assert "can't be attached" in refusal("README", b"text", limits)


def test_an_empty_file_is_refused(limits) -> None:
    assert refusal("empty.pdf", b"", limits) == "“empty.pdf” is empty."


def test_bytes_that_are_not_what_the_name_says_are_refused(limits) -> None:
    assert refusal("photo.png", make_image((10, 10), "JPEG"), limits) == \
        "“photo.png” is not a PNG image: its contents are something else."
    assert "is not a PDF" in refusal("report.pdf", b"just some text", limits)
    assert "is not a Word document" in refusal("letter.docx", make_image((5, 5)), limits)
    assert "is not text" in refusal("notes.txt", b"\x00\x01\x02\xff\xfe binary", limits)
    assert "is not text" in refusal("data.csv", bytes(range(256)), limits)


def test_a_file_over_the_upload_limit_is_refused(limits) -> None:
    small = replace(limits, max_upload_mb=1)
    sentence = refusal("big.pdf", b"%PDF-1.4\n" + b"0" * 1_200_000, small)
    assert sentence == "“big.pdf” is 1.2 MB, over the 1 MB limit for an attached file."


def test_the_import_limit_is_streamlits(limits) -> None:
    """Streamlit refuses bigger uploads before bnaGPT sees them: its limit is an import's, which takes
    the JSON export of a conversation holding a file of the largest size (carried as base64)."""
    config = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.max_import_mb
    assert limits.max_import_mb * 1024 * 1024 > 2 * limits.max_upload_mb * 1_000_000 * 4 / 3


def test_media_types_and_the_picker_list() -> None:
    assert media_type_of("a.JPG") == "image/jpeg" and media_type_of("b.md") == "text/markdown"
    assert set(FILE_TYPES) >= {"png", "jpg", "jpeg", "webp", "gif", "pdf", "docx", "txt", "md", "csv"}
    with pytest.raises(AttachmentRefused):
        media_type_of("archive.zip")


def test_an_attachment_reads_and_round_trips() -> None:
    pdf = Attachment("report.pdf", "document", "a" * 64, "application/pdf", 52_000, pages=42)
    photo = Attachment("photo.png", "image", "b" * 64, "image/png", 1_234_567)
    assert pdf.label() == "report.pdf · 42 pages" and photo.label() == "photo.png · 1.2 MB"
    assert Attachment.from_json(pdf.to_json()) == pdf and Attachment.from_json(photo.to_json()) == photo
    passage = Passage("report.pdf", "12", "text")
    assert passage.citation() == "[report.pdf p. 12]" and Passage.from_json(passage.to_json()) == passage
    for broken in ({"name": "x", "kind": "video", "digest": "a" * 64, "media_type": "a/b", "size": 1},
                   {"name": "x", "kind": "image", "digest": "../../etc", "media_type": "a/b", "size": 1},
                   {"name": "x", "kind": "image", "digest": "a" * 64, "media_type": "a/b"}):
        with pytest.raises(ValueError, match=re.compile("attachment")):
            Attachment.from_json(broken)
