"""Files attached to a message: images and documents. The one public face of the package.

- `check_upload(name, data, settings)` tells a file's kind ("image" or "document") or refuses it
  (`AttachmentRefused`, one sentence naming the file): an unsupported type (by name), an empty
  file, bytes that are not what the name says, a file over `settings.max_upload_mb`.
- `prepare_image(...)` makes an image ready for Groq (upright, RGB JPEG or PNG, only as small as
  Groq's limits need) -> `PreparedImage`.
- `read_document(...)` reads a PDF, DOCX, TXT, Markdown or CSV file with LlamaIndex's readers ->
  `DocumentText` (one passage per PDF page), reporting progress and stopping on `cancel`.
- `DocumentIndex.build(...)` splits it into chunks with BM25 over them: `whole()` for a document
  that fits the request, `retrieve(question, token_budget)` for one that does not.
- `Attachment` is what a message and the store keep (never the bytes: those are in the store's
  file area by digest); `Passage` is what the model saw, for citations and Sources.

LlamaIndex (its readers and the BM25 retriever) is imported only when a document is read, so
importing this package (as every Message does) stays light.
"""

from models.attachments._check import FILE_TYPES, SUPPORTED, check_upload, decoded_text, kind_of, media_type_of
from models.attachments._documents import read_document
from models.attachments._images import prepare_image
from models.attachments._index import DocumentIndex
from models.attachments._records import (
    Attachment,
    AttachmentRefused,
    DocumentText,
    IndexingCancelled,
    Passage,
    PreparedImage,
    size_label,
)

__all__ = [
    "Attachment", "Passage", "AttachmentRefused", "IndexingCancelled",
    "check_upload", "kind_of", "media_type_of", "decoded_text", "FILE_TYPES", "SUPPORTED", "size_label",
    "prepare_image", "PreparedImage",
    "read_document", "DocumentText", "DocumentIndex",
]
