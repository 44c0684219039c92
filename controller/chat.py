"""What both chat engines share: stream one turn, record it, stop it, regenerate it, and turn
failures into ChatError. No Streamlit here: views hand the generators to `st.write_stream`."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from models.answer_details import AnswerDetails
from models.assistant_settings import AssistantSettings
from models.message import Message, StreamingMessage
from settings import Settings
from utils.llama import Answerer

if TYPE_CHECKING:
    from controller.errors import ChatError

NOTHING_RECEIVED = "Stopped before any answer arrived."
# st.write_stream sends the whole answer so far for every piece it is given, and the browser
# parses and draws all of it again: ~4 ms a KB in headless Chromium here, so a 2,000-token answer
# redrawn every 40 ms kept the browser busy most of the time, behind the stream and deaf to the
# websocket's pings. Pieces are gathered for 40 ms while the answer is short (~25 redraws a
# second) and for longer as it grows, 10 µs per character up to 0.15 s, so a redraw never takes
# the browser more than about 40% of the time until the next one.
BATCH_SECONDS = 0.04
BATCH_SECONDS_PER_CHARACTER = 1e-5
LONGEST_BATCH_SECONDS = 0.15


def batch_seconds(length: int, shortest: float = BATCH_SECONDS) -> float:
    """How long to gather pieces once `length` characters have been handed on (0: never gather)."""
    if shortest <= 0:
        return 0.0
    return max(shortest, min(LONGEST_BATCH_SECONDS, length * BATCH_SECONDS_PER_CHARACTER))


def in_batches(deltas: Iterable[str], seconds: float = BATCH_SECONDS,
               clock: Callable[[], float] = time.monotonic) -> Iterator[str]:
    """The deltas joined into batches: the first at once, then whatever came in since the last, at
    least `seconds` later and longer as the text grows (`batch_seconds`)."""
    pending: list[str] = []
    last_yield = None
    handed_on = 0
    for delta in deltas:
        pending.append(delta)
        if last_yield is None or clock() - last_yield >= batch_seconds(handed_on, seconds):
            batch = "".join(pending)
            yield batch
            pending.clear()
            handed_on += len(batch)
            last_yield = clock()  # from when the reader came back for more: a slow reader gets bigger batches
    if pending:
        yield "".join(pending)


class ChatController:
    """Keeps a transcript and streams answers; subclasses say which engine answers."""

    batch_seconds = BATCH_SECONDS  # 0: every delta is handed on by itself

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.messages: list[Message] = []
        self.assistant = AssistantSettings(model=settings.groq_model, max_answer_tokens=settings.max_answer_tokens)
        # Bumped whenever the assistant settings change from outside the settings panel (a
        # conversation loaded), so the view knows to show the new values.
        self.assistant_generation = 0
        self._engine: Answerer | None = None

    def configure(self, settings: Settings) -> None:
        """Use new settings from the next answer on (a key set while the page was open)."""
        if settings != self.settings:
            self.settings = settings
            self._engine = None

    def set_assistant(self, assistant: AssistantSettings) -> None:
        """Answer with these assistant settings from the next message on."""
        if assistant != self.assistant:
            self.assistant = assistant
            self._engine = None

    def new_chat(self) -> None:
        """Start over with an empty transcript (the assistant settings stay)."""
        self.messages = []
        self._engine = None

    def last_turn_start(self) -> int | None:
        """Where the last turn (its question, then any answer) begins in the transcript."""
        for index in range(len(self.messages) - 1, -1, -1):
            if self.messages[index].role == "user":
                return index
        return None

    def stream_reply(self, prompt: str) -> Iterator[str]:
        """Yield the answer's text as it arrives; the finished turn joins the transcript."""
        yield from self._stream_turn(prompt, len(self.messages))

    def stream_regenerated(self) -> Iterator[str]:
        """Answer the last question again; the new answer replaces the old one (a failure keeps it)."""
        start = self.last_turn_start()
        if start is None:
            return
        yield from self._stream_turn(self.messages[start].content, start)

    def _stream_turn(self, prompt: str, start: int) -> Iterator[str]:
        """Stream an answer to `prompt` given the transcript before `start`, which it then replaces."""
        history = self.messages[:start]
        regenerating = start < len(self.messages)
        engine = self._engine = self._engine or self._build_engine()
        streaming, began, batch = None, time.monotonic(), ""
        try:
            streaming = StreamingMessage(engine.stream(prompt, history))
            for batch in in_batches(streaming, self.batch_seconds):
                yield batch
        except GeneratorExit:
            # Stopped by the person (or the page reran): keep what they saw, and no more.
            # st.write_stream dies drawing the batch it was just given, so that one was never shown.
            engine.stop()
            self._engine = None  # its worker may still be winding down
            shown = streaming.text[: len(streaming.text) - len(batch)] if streaming else ""
            self._keep_stopped(prompt, start, shown, began)
            raise
        except Exception as error:
            raise self._fail(prompt, start, error, keep_old=regenerating) from error
        problem = self._json_problem(streaming.text)
        if problem:
            raise self._fail(prompt, start, None, keep_old=regenerating, message=problem)
        answer = Message("assistant", streaming.text, details=self._details(engine, began))
        self._replace_from(start, [Message("user", prompt), answer])

    def _keep_stopped(self, prompt: str, start: int, shown: str, began: float) -> None:
        if not shown:
            self._replace_from(start, [Message("user", prompt, error=NOTHING_RECEIVED)])
            return
        details = AnswerDetails(
            model=self.assistant.model, seconds=round(time.monotonic() - began, 3),
            stopped=True, json_mode=self.assistant.json_mode,
        )
        self._replace_from(start, [Message("user", prompt), Message("assistant", shown, details=details)])

    def _details(self, engine: Answerer, began: float) -> AnswerDetails:
        """Model, tokens and time of a finished answer, from the usage Groq sent with its last chunk."""
        wall = time.monotonic() - began
        usage = engine.usage or {}
        completion = usage.get("completion_tokens")
        seconds = usage.get("total_time") or wall
        generating = usage.get("completion_time") or wall
        return AnswerDetails(
            model=self.assistant.model,
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=completion,
            seconds=round(seconds, 3),
            tokens_per_second=round(completion / generating, 1) if completion and generating > 0 else None,
            json_mode=self.assistant.json_mode,
        )

    def _json_problem(self, text: str) -> str | None:
        """Why a JSON-mode answer is not a JSON object (None when it is, or JSON mode is off)."""
        if not self.assistant.json_mode:
            return None
        try:
            if isinstance(json.loads(text), dict):
                return None
        except ValueError:
            pass
        excerpt = " ".join(text.split())[:200]
        if not excerpt:
            return "JSON mode is on, but the model gave no answer (it may have refused). Rephrase, or turn JSON mode off."
        return f"JSON mode is on, but the model did not answer with a JSON object. It said: “{excerpt}”"

    def _fail(self, prompt: str, start: int, error: Exception | None, *, keep_old: bool,
              message: str | None = None) -> ChatError:
        # Imported here: controller.errors imports the OpenAI SDK (about 2 s), which a page must not
        # wait for before it first shows; by the time an answer fails, LlamaIndex has imported it.
        from controller.errors import ChatError, describe_failure

        message = message or describe_failure(error, self.settings.groq_api_base, self.settings.request_timeout)
        if not keep_old:
            # The person's words stay on screen and on disk, marked as unanswered.
            self._replace_from(start, [Message("user", prompt, error=message)])
        self._engine = None
        return ChatError(message)

    def _replace_from(self, start: int, turn: list[Message]) -> None:
        self.messages = self.messages[:start] + turn

    def _build_engine(self) -> Answerer:
        raise NotImplementedError
