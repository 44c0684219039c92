"""What both chat pages share: page set-up, the transcript, the key guard and streaming."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

import streamlit as st

from controller.voice import keep_voice_mark, spoken_reply
from settings import ConfigurationError, Settings, load_settings
from view.accounts import cap_refusal, render_refusal, sign_in
from view.answer_stream import StreamedAnswer, render_answer, render_caption
from view.assistant_panel import AssistantPanel
from view.attachments import (
    DESCRIBE,
    Pending,
    hold_redo,
    ready_attachments,
    render_attached,
    render_pending,
    uploads_in,
)
from view.chat_box import render_chat_box, typed_text
from view.key_screen import render_missing_key, with_session_key
from view.loaders import load_image, prepare_engine, warm_up_engine
from view.message_actions import render_copy, render_user_message
from view.read_aloud import finish_reading, forget_pending_reading, read_new_answer
from view.text import escape_markdown
from view.tools_control import render_tools_control
from view.transcript import EARLIER_STEP, TRANSCRIPT_WINDOW, render_transcript
from view.turn_requests import EDIT, HELD, REGENERATE, SEND, held_turn, render_turn_buttons
from view.voice import FROM_VOICE, render_voice_settings, spoken_question, take_recording

__all__ = ["EARLIER_STEP", "TRANSCRIPT_WINDOW", "ChatView", "escape_markdown", "render_transcript"]

# Both pages answer with this one SharedAssistant (unless a loaded conversation brings its own).
SHARED_ASSISTANT_KEY = "assistant.shared"

# A pause between an answer's last words and the rest of the page, so the browser draws those first.
SETTLE_SECONDS = 0.05
# While an answer streams, a timer asks whether its run is over: a Stop ends the run where nothing
# more can be drawn, so the page is drawn again from the transcript (the Stopped mark, Retry).
FINISH_CHECK_SECONDS = 0.25


class ChatView:
    """A chat page: subclasses name it, make its controller and may add a sidebar."""

    title = "bnaGPT"
    caption = ""
    state_prefix = "chat"
    spoken = False  # the question being answered in this run came from the microphone
    sending = False  # this run answers a message (the sidebar is drawn after it is sent)

    def render(self) -> None:
        """Draw the page for this rerun and answer a new message if one was sent."""
        st.set_page_config(page_title=f"{self.title} · bnaGPT", page_icon=load_image("icon.png"))
        st.logo(load_image("logo.png"), icon_image=load_image("icon.png"), size="large")
        settings = self._settings()
        sign_in(settings)  # with accounts, nothing below is drawn for someone not signed in and allowed
        controller = self._controller(settings)
        assistant_panel = AssistantPanel(self.state_prefix, controller, settings)
        assistant_panel.apply()  # settings changed in the rerun that sends a message apply to it
        kind, text = st.session_state.pop(f"{self.state_prefix}.request", None) or (None, None)
        refusal = cap_refusal(settings) if kind is not None else None  # accounts: this person's minute is spent
        if refusal:
            kind = None
        # Sent before the rest of the page is drawn: Groq answers while it is (B3).
        early = self._start_early(controller, settings, kind, text)
        try:
            self.sending = kind is not None
            self.render_sidebar(controller, assistant_panel)
            self._render_header(controller, settings)
            if refusal:
                render_refusal(refusal, text if isinstance(text, str) else None)
            self._draw(controller, settings, kind, text, early)
        finally:
            if early is not None:  # never read (a Stop while the page drew): the turn is kept as stopped
                early.close()

    def _render_header(self, controller: Any, settings: Settings) -> None:
        """The page's top: title, assistant and Tools, the conversation's files (and voice settings)."""
        render_voice_settings(self.state_prefix, settings)
        forget_pending_reading()
        st.title(self.title)
        assistant = controller.assistant
        st.caption(f":material/smart_toy: {escape_markdown(assistant.persona)} · {escape_markdown(assistant.model)}")
        st.caption(self.caption)
        render_tools_control(controller, self.state_prefix)
        self.render_files(controller)

    def _start_early(self, controller: Any, settings: Settings, kind: str | None, text: Any) -> Iterator[Any] | None:
        """A typed message without files is sent to Groq now: it answers while the page draws (B3)."""
        if (kind != SEND or not settings.groq_api_key or not text.strip()
                or uploads_in(st.session_state.get(f"{self.state_prefix}.prompt"))):
            return None
        return controller.start_reply(text)

    def _draw(self, controller: Any, settings: Settings, kind: str | None, text: Any,
              early: Iterator[Any] | None) -> None:
        last_turn = controller.last_turn_start()
        regenerating = kind == REGENERATE and last_turn is not None
        editing = kind == EDIT and last_turn is not None and bool(text.strip())
        pending_key = f"{self.state_prefix}.pending"
        if (regenerating or editing) and controller.redo_needs_image_reader():
            hold_redo(controller, settings, text if editing else controller.messages[last_turn].content, kind,
                      pending_key)
        redo_held = kind is None and getattr(st.session_state.get(pending_key), "redo", None) is not None
        # While the last turn is being answered again (or held to be), it is drawn from there instead.
        render_transcript(controller.messages[:last_turn] if regenerating or editing or redo_held
                          else controller.messages, f"{self.state_prefix}.window", controller)
        if kind is None and pending_key in st.session_state:  # a message held back: the person chooses
            render_pending(st.session_state[pending_key], controller.files, self._send_held,
                           lambda: st.session_state.pop(pending_key, None))
        if not settings.groq_api_key:
            render_missing_key()
            st.stop()
        if kind is None and not redo_held and f"{self.state_prefix}.voice.recording" not in st.session_state:
            render_turn_buttons(controller, self.state_prefix)
        render_chat_box(self.state_prefix, self._take_prompt, settings.max_upload_mb)
        warm_up_engine()
        if kind is None:
            prepare_engine(controller)
        if regenerating:
            # A spoken question answered again stays marked as spoken; its files stay with it.
            question = controller.messages[last_turn]
            self.answer(controller, question.content, keep_voice_mark(controller, controller.stream_regenerated()),
                        question.attachments)
        elif editing:
            self.answer(controller, text, controller.stream_edited(text), controller.messages[last_turn].attachments)
        elif kind == SEND and (text.strip() or uploads_in(st.session_state.get(f"{self.state_prefix}.prompt"))):
            self._send(controller, settings, text, early)
        elif kind == HELD and pending_key in st.session_state:
            pending = st.session_state.pop(pending_key)
            self.answer(controller, pending.prompt, *held_turn(controller, pending, *text))
        spoken = spoken_question(self.state_prefix, settings, controller.recordings)
        if spoken is not None:
            self.spoken = True
            self.answer(controller, spoken[0], spoken_reply(controller, *spoken))
        finish_reading(settings)  # an answer read by itself, once the chat box is there

    def _send(self, controller: Any, settings: Settings, text: str, early: Iterator[Any] | None) -> None:
        """Send a typed message (`early`: already sent); files attached to it are read first (progress,
        Cancel), and the message is held back instead when a file is refused or the model cannot read its images."""
        uploads = uploads_in(st.session_state.get(f"{self.state_prefix}.prompt"))
        prompt = text if text.strip() else DESCRIBE
        if early is not None:
            self.answer(controller, prompt, early)
        if not uploads:
            self.answer(controller, prompt, controller.stream_reply(prompt))
        attachments = ready_attachments(uploads, controller, settings, Pending(prompt, controller.assistant.model),
                                        f"{self.state_prefix}.pending")
        self.answer(controller, prompt, controller.stream_reply(prompt, attachments), attachments)

    def _send_held(self, model: str | None, with_images: bool) -> None:
        st.session_state[f"{self.state_prefix}.request"] = (HELD, (model, with_images))

    def _take_prompt(self) -> None:
        # Callbacks run before the script, so the page knows of the new message before it draws.
        value = st.session_state[f"{self.state_prefix}.prompt"]
        if not take_recording(self.state_prefix, value):
            st.session_state[f"{self.state_prefix}.request"] = (SEND, typed_text(value))

    def _settings(self) -> Settings:
        try:
            return with_session_key(load_settings())
        except ConfigurationError as error:
            st.error(f"bnaGPT's configuration needs a fix: {error}")
            st.stop()

    def _controller(self, settings: Settings) -> Any:
        """The page's controller, made once per browser session; this page's state lives here."""
        key = f"{self.state_prefix}.controller"
        if key not in st.session_state:
            self.init_state()
            controller = self.make_controller(settings)
            controller.shared = st.session_state.setdefault(SHARED_ASSISTANT_KEY, controller.shared)
            st.session_state[key] = controller
        controller = st.session_state[key]
        controller.configure(settings)
        return controller

    def render_files(self, controller: Any) -> None:
        """What the page shows of the files a conversation carries (the memory page lists them)."""

    def init_state(self) -> None:
        """Set this page's other session-state keys (namespaced by `state_prefix`)."""

    def make_controller(self, settings: Settings) -> Any:
        raise NotImplementedError

    def render_sidebar(self, controller: Any, assistant_panel: AssistantPanel) -> None:
        """The sidebar below the page navigation; subclasses place the assistant settings in theirs."""
        assistant_panel.render()

    def answer(self, controller: Any, prompt: str, stream: Iterator[Any], attachments: Sequence[Any] = ()) -> NoReturn:
        """Show the person's message and stream the answer, then draw the page again from the
        transcript, however the answer ended (the caption, Regenerate or Retry, the sidebar)."""
        from controller.chat import ChatError

        run = _AnswerRun()
        _draw_again_when_over(run)
        with st.chat_message("user"):
            render_user_message(prompt)
            render_attached(attachments, controller.files)
            if self.spoken:
                st.caption(FROM_VOICE)
        with st.chat_message("assistant"):
            streamed = StreamedAnswer()
            slot = st.empty()
            try:
                with slot.container():
                    streamed.write(stream)
            except ChatError as error:
                slot.error(str(error), icon=":material/error:")
                st.rerun()  # drawn from the transcript: what arrived, the error and Retry
            finally:
                run.over = True
                # A Stop ends the run mid-answer: the controller keeps what was shown now, not
                # whenever the abandoned generator is collected.
                stream.close()
            # What comes next (caption, Regenerate, the end of the run) would reach the browser in
            # the same instant and be drawn in one go with the answer's last words, delaying them (B3).
            time.sleep(SETTLE_SECONDS)
            answer = controller.messages[-1]
            if streamed.shows(answer.content) and not (answer.details and answer.details.json_mode):
                # Already drawn as it will be: drawing the whole answer again would cost the browser
                # another parse of it, just as the person waits for its end.
                render_caption(answer)
            else:
                with slot.container():
                    render_answer(answer, with_reasoning=False)  # its thinking is on screen already
            render_copy(answer, f"{self.state_prefix}.window.copy.{len(controller.messages) - 1}")
        render_turn_buttons(controller, self.state_prefix)
        read_new_answer(controller, f"{self.state_prefix}.window")
        st.rerun()  # a new run ends the finish check's timer


class _AnswerRun:
    """Whether the run that streams an answer is over, however it ended."""

    over = False


@st.fragment(run_every=FINISH_CHECK_SECONDS)
def _draw_again_when_over(run: _AnswerRun) -> None:
    if run.over:
        st.rerun()
