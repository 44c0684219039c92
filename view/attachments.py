"""Attachments on the page: thumbnails and file labels in the person's messages, the progress of
reading what was just attached (with Cancel), a message held back with one sentence per refused file
(or because the model cannot read its images), the Sources under an answer, and the memory page's
list of the conversation's files."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from controller.attachments import FileIntake
from models.attachments import Attachment
from models.message import Message
from models.store import StoreError
from view.message_actions import render_user_message
from view.text import escape_markdown

DESCRIBE = "Describe this"  # the question when files are sent with no words
THUMBNAIL_SIDE = 240
CANCELLED = "Reading the attached files was cancelled; attach any file not listed here again to use it."
CANNOT_READ_IMAGES = "`{model}` can't read images, so this message was not sent."
NO_FILE_STORE = ("Files cannot be attached here: the conversations folder cannot be used, so there is nowhere "
                 "to keep them.")
NO_IMAGE_MODEL = " None of the models Groq offers here reads images: send it without them, or discard it."


@dataclass
class Pending:
    """A message held back before it is sent: its words, the files accepted so far (in the store, never
    their bytes here), a sentence per refused file, and the model it was to be answered with."""

    prompt: str
    model: str
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    read: bool = False  # the files were all read (else the reading was cancelled)
    blocked_images: bool = False  # it has images and `model` cannot read them
    image_reader: str | None = None  # a model that can, offered for this turn
    redo: str | None = None  # the last turn asked again (the view's Regenerate/Retry or Edit), not a new one

    def held(self) -> bool:
        """Whether the person must choose before it is sent (else it goes as it is)."""
        return bool(self.problems) or not self.read or self.blocked_images


def ready_attachments(uploads: Sequence[Any], controller: Any, settings: Any, pending: Pending,
                      pending_key: str) -> list[Attachment]:
    """The uploads read and kept, ready to go with `pending`'s message; when a file is refused, the
    reading is cancelled or the model cannot read the images, the message is held instead (kept in
    session state as `pending_key`, without the files' bytes) and the page drawn again."""
    st.session_state[pending_key] = pending  # what a Cancel (or a closed tab) leaves: nothing typed is lost
    if controller.files is None:  # the conversations folder cannot be used: nowhere to keep them
        pending.problems.append(NO_FILE_STORE)
        st.rerun()
    intake = FileIntake([(upload.name, upload.getvalue()) for upload in uploads], controller.files, settings)
    pending.attachments, pending.problems = intake.attachments, intake.problems
    read_uploads(intake, pending)
    check_images_readable(pending, settings)
    if pending.held():
        st.rerun()  # drawn held, from the transcript's end, with its choices
    del st.session_state[pending_key]
    return pending.attachments


def hold_redo(controller: Any, settings: Any, prompt: str, redo: str, pending_key: str) -> None:
    """Hold the last question asked again (Retry, Regenerate, Edit) when its images would go to a model
    that cannot read them: said before sending, with the same one-click offer as a new message."""
    question = controller.messages[controller.last_turn_start()]
    pending = Pending(prompt, controller.redo_model(), list(question.attachments), read=True, redo=redo)
    check_images_readable(pending, settings)
    st.session_state[pending_key] = pending
    st.rerun()


def check_images_readable(pending: Pending, settings: Any) -> None:
    """Hold a message whose images its model cannot read, and find one that can (the LLM seam knows which)."""
    from utils.llm import image_reader, reads_images
    from view.loaders import model_catalog

    if any(a.kind == "image" for a in pending.attachments) and not reads_images(pending.model):
        pending.blocked_images = True
        offered = model_catalog().chat_models(settings.groq_api_base, settings.groq_api_key, pending.model).models
        pending.image_reader = image_reader(offered)


def uploads_in(value: Any) -> list:
    """The files (UploadedFiles) in a submitted chat box value."""
    return list(getattr(value, "files", None) or []) if value is not None and not isinstance(value, str) else []


def read_uploads(intake: FileIntake, pending: Pending) -> None:
    """Read the just attached files with a progress bar and a Cancel button; a click on Cancel (any rerun)
    stops the reading, and the next run finds `pending` not `read`."""
    slot = st.empty()
    with slot.container():
        bar = st.progress(0.0, text="Reading the attached files…")
        st.button("Cancel", icon=":material/close:", type="tertiary", key="attachments.cancel",
                  help="Stop reading the attached files; your message is kept.")
        progress = intake.run()
        try:
            for step in progress:
                bar.progress(step.fraction, text=escape_markdown(step.label()))
        finally:
            progress.close()  # a Cancel interrupts the loop: the reading thread stops at its next step
    slot.empty()
    pending.read = not intake.cancelled


def render_pending(pending: Pending, files: Any, send: Callable[[str | None, bool], None],
                   discard: Callable[[], None]) -> None:
    """The held message with its files, why it is held, and what can be done: answer with a model that
    reads images (one click, this turn only), send without what could not go, or discard."""
    with st.chat_message("user"):
        render_user_message(pending.prompt)
        render_attached(pending.attachments, files)
        for problem in pending.problems:
            st.warning(problem, icon=":material/block:")
        if not pending.read:
            st.warning(CANCELLED, icon=":material/cancel:")
        if pending.blocked_images:
            st.info(CANNOT_READ_IMAGES.format(model=pending.model) + ("" if pending.image_reader else NO_IMAGE_MODEL),
                    icon=":material/hide_image:")
        with st.container(horizontal=True, gap="small"):
            if pending.blocked_images and pending.image_reader:
                st.button(f"Answer with {pending.image_reader}", icon=":material/image_search:", type="primary",
                          key="attachments.reader", on_click=send, args=(pending.image_reader, True),
                          help="This turn only: Assistant settings keep their model.")
            label = "Send without the images" if pending.blocked_images else "Send"
            st.button(label, icon=":material/send:", key="attachments.send", on_click=send,
                      args=(None, not pending.blocked_images))
            st.button("Discard", icon=":material/delete:", type="tertiary", key="attachments.discard",
                      on_click=discard)


def render_attached(attachments: Sequence[Attachment], files: Any) -> None:
    """A message's files: images as thumbnails, documents (and images that cannot be shown) by name."""
    thumbnails = [(a, _thumbnail(files, a.digest) if files is not None else b"") for a in attachments
                  if a.kind == "image"]
    shown = [(image, data) for image, data in thumbnails if data]
    if shown:
        st.image([data for _, data in shown], caption=[image.name for image, _ in shown],
                 width=THUMBNAIL_SIDE // 2 if len(shown) > 2 else THUMBNAIL_SIDE)
    missing = {image.digest for image, data in thumbnails if not data}
    for attachment in attachments:
        if attachment.kind == "document" or attachment.digest in missing:
            icon = ":material/description:" if attachment.kind == "document" else ":material/broken_image:"
            st.caption(f"{icon} {escape_markdown(attachment.label())}")


@st.cache_data(max_entries=256, show_spinner=False)
def _thumbnail(_files: Any, digest: str) -> bytes:
    """A small PNG of an attached image (b"" when its file is gone or damaged), made once per digest:
    content-addressed, so the digest alone says what it shows."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(_files.read(digest))) as image:
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail((THUMBNAIL_SIDE * 2, THUMBNAIL_SIDE * 2))
            out = io.BytesIO()
            small.save(out, "PNG")
            return out.getvalue()
    except (StoreError, OSError, ValueError):
        return b""


def render_sources(message: Message) -> None:
    """The exact passages the model saw for this answer, folded under "Sources"."""
    if not message.sources:
        return
    with st.expander(f"Sources ({len(message.sources)})", icon=":material/menu_book:"):
        for passage in message.sources:
            st.markdown(f"**{escape_markdown(passage.citation())}**")
            st.text(passage.text)


def render_conversation_files(files: Sequence[Attachment], remove: Callable[[str], None]) -> None:
    """The memory page's "Attached:" line: the documents every later question may draw on, each removable."""
    if not files:
        return
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption("Attached:")
        for attachment in files:
            st.caption(f":material/description: {escape_markdown(attachment.label())}")
            st.button("", icon=":material/close:", type="tertiary", key=f"attachments.remove.{attachment.digest}",
                      help=f"Stop using {attachment.name} in this conversation", on_click=remove,
                      args=(attachment.digest,))
