"""What both chat engines share: stream one turn, record it, turn failures into ChatError."""

from __future__ import annotations

from typing import Any, Iterator

from controller.errors import ChatError, describe_failure
from models.message import Message, StreamingMessage
from settings import Settings


class ChatController:
    """Keeps a transcript and streams answers; subclasses say how an answer is started."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.messages: list[Message] = []

    def configure(self, settings: Settings) -> None:
        """Use new settings from the next answer on (a key set while the page was open)."""
        if settings != self.settings:
            self.settings = settings
            self._forget_engine()

    def new_chat(self) -> None:
        """Start over with an empty transcript and a fresh engine."""
        self.messages = []
        self._forget_engine()

    def stream_reply(self, prompt: str) -> Iterator[str]:
        """Yield the answer's text as it arrives; the finished turn joins the transcript."""
        streaming = None
        try:
            streaming = StreamingMessage(self._start_stream(prompt))
            yield from streaming
        except GeneratorExit:
            # The page stopped reading (a rerun or page switch mid-answer). Finish the
            # answer anyway so the transcript holds what the engine's memory will hold.
            self._finish_abandoned(prompt, streaming)
            raise
        except Exception as error:
            raise self._fail(prompt, error) from error
        self._record(prompt, streaming)

    def _finish_abandoned(self, prompt: str, streaming: StreamingMessage | None) -> None:
        if streaming is None:
            return
        try:
            for _ in streaming:
                pass
        except Exception as error:
            self._fail(prompt, error)
        else:
            self._record(prompt, streaming)

    def _fail(self, prompt: str, error: Exception) -> ChatError:
        message = describe_failure(error, self.settings.groq_api_base, self.settings.request_timeout)
        # The person's words stay on screen and on disk, marked as unanswered.
        self.messages.append(Message("user", prompt, error=message))
        self._forget_engine()
        return ChatError(message)

    def _record(self, prompt: str, streaming: StreamingMessage) -> None:
        self.messages += [Message("user", prompt), streaming.to_message()]

    def _start_stream(self, prompt: str) -> Any:
        raise NotImplementedError

    def _forget_engine(self) -> None:
        """Drop the engine so the next answer starts from the recorded transcript."""
