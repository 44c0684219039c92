"""Files attached in the chat box, made ready for a turn: each checked, kept in the store's file area,
an image tried against Groq's limits, a document read and indexed in a thread of its own while the
page shows how far it got; and the documents a question may use, loaded for the LLM seam.
No Streamlit here: the view iterates `FileIntake.run()` and draws each `Progress`."""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from models.attachments import (
    Attachment,
    AttachmentRefused,
    DocumentIndex,
    IndexingCancelled,
    check_upload,
    kind_of,
    media_type_of,
    prepare_image,
    read_document,
)
from models.store import AttachedFiles, StoreError
from settings import Settings
from utils.llm import TurnFiles
from utils.llm.loading import llama_index

TOO_MANY_IMAGES = "“{name}” was left out: a message takes at most {most} images."
INDEXES_KEPT = 4  # documents' indexes kept in memory, so a conversation's next question need not load them


@dataclass(frozen=True)
class Progress:
    """How far reading one file has got: `done` of `total` steps (pages, chunks) of `step`."""

    name: str
    step: str  # "Reading" or "Indexing"
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0

    def label(self) -> str:
        return f"{self.step} “{self.name}”… {self.done} of {self.total}"


@dataclass
class FileIntake:
    """One message's uploads made into Attachments; `problems` holds a sentence per refused file."""

    uploads: Sequence[tuple[str, bytes]]
    files: AttachedFiles
    settings: Settings
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    cancelled: bool = False
    finished: threading.Event = field(default_factory=threading.Event)  # the reading thread has ended

    def run(self) -> Iterator[Progress]:
        """Do the work in a thread of its own, yielding its progress; closing this generator (Cancel, or
        the page running again) stops the work at its next step."""
        events: queue.Queue = queue.Queue()
        cancel = threading.Event()
        worker = threading.Thread(target=self._work, args=(events, cancel), name="bnaGPT attachments", daemon=True)
        worker.start()
        try:
            while (event := events.get()) is not None:
                yield event
        finally:
            if worker.is_alive():
                cancel.set()
                self.cancelled = True

    def _work(self, events: queue.Queue, cancel: threading.Event) -> None:
        images = 0
        try:
            if any(_is_document(name) for name, _ in self.uploads):
                # The readers import LlamaIndex; importing it here while the page's warm-up thread does
                # too can deadlock Python's imports, so it is imported (or waited for) through the seam.
                llama_index()
            for name, data in self.uploads:
                if cancel.is_set():
                    return
                try:
                    kind = check_upload(name, data, self.settings)
                    if kind == "image":
                        images += 1
                        most = self.settings.images_per_request
                        if images > most:
                            self.problems.append(TOO_MANY_IMAGES.format(name=name, most=most))
                            continue
                        prepare_image(name, data, self.settings)  # refused now, not when the answer is asked for
                    attachment = Attachment(name, kind, self.files.put(data), media_type_of(name), len(data))
                    if kind == "document":
                        attachment = self._index(attachment, data, events, cancel)
                    self.attachments.append(attachment)
                except AttachmentRefused as refusal:
                    self.problems.append(str(refusal))
                except IndexingCancelled:
                    self.cancelled = True
                    return
                except (StoreError, OSError) as error:
                    self.problems.append(f"“{name}” could not be kept: {error}")
                except Exception as error:  # noqa: BLE001 - a reader's failure on an odd file is that file's problem
                    self.problems.append(f"“{name}” could not be read ({type(error).__name__}).")
        finally:
            events.put(None)
            self.finished.set()

    def _index(self, attachment: Attachment, data: bytes, events: queue.Queue, cancel: threading.Event) -> Attachment:
        """Read and index a document (its index cached beside its file: the same file again is not read
        again), reporting progress; the attachment with its page count."""
        name = attachment.name
        index = _loaded(self.files, attachment.digest)
        if index is None:
            def progress(step: str) -> Callable[[int, int], None]:
                return lambda done, total: events.put(Progress(name, step, done, total))

            document = read_document(name, data, self.settings, cancel=cancel, progress=progress("Reading"))
            index = DocumentIndex.build(document, self.settings, cancel=cancel, progress=progress("Indexing"))
            self.files.put_index(attachment.digest, index.to_bytes())
            _remember(attachment.digest, index)
        return replace(attachment, pages=index.page_count)


def _is_document(name: str) -> bool:
    try:
        return kind_of(name) == "document"
    except AttachmentRefused:
        return False


_indexes: OrderedDict[str, DocumentIndex] = OrderedDict()
_indexes_lock = threading.Lock()


def _remember(digest: str, index: DocumentIndex) -> None:
    with _indexes_lock:
        _indexes[digest] = index
        _indexes.move_to_end(digest)
        while len(_indexes) > INDEXES_KEPT:
            _indexes.popitem(last=False)


def _loaded(files: AttachedFiles, digest: str) -> DocumentIndex | None:
    """A document's index from memory or from its cache beside the file (None: neither has it)."""
    with _indexes_lock:
        if digest in _indexes:
            _indexes.move_to_end(digest)
            return _indexes[digest]
    cached = files.read_index(digest)
    try:
        index = DocumentIndex.from_bytes(cached) if cached is not None else None
    except (ValueError, KeyError, TypeError):
        return None  # a damaged cache is built again from the file
    if index is not None:
        _remember(digest, index)
    return index


def document_index(files: AttachedFiles, attachment: Attachment, settings: Settings) -> DocumentIndex:
    """A document's index: loaded, else read and built again from its file (the cache is derived;
    StoreError when the file itself is gone or damaged)."""
    index = _loaded(files, attachment.digest)
    if index is None:
        data = files.read(attachment.digest, name=attachment.name)
        index = DocumentIndex.build(read_document(attachment.name, data, settings), settings)
        files.put_index(attachment.digest, index.to_bytes())
        _remember(attachment.digest, index)
    return index


def turn_files(files: AttachedFiles | None, images: Iterable[Attachment], documents: Iterable[Attachment],
               settings: Settings) -> TurnFiles:
    """What the LLM seam gets for a turn: these images, and these documents with their indexes."""
    if files is None:
        return TurnFiles()
    loaded = tuple((document, document_index(files, document, settings)) for document in documents)
    return TurnFiles(tuple(images), loaded, lambda digest: files.read(digest))
