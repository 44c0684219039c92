"""Sounds for the fake Groq's audio endpoints and the tests that feed them: a tone as a WAV, the pitch of
a WAV, and what the fake Whisper "hears" in it (a phrase per pitch, so a test can tell recordings apart)."""

import io
import math
import struct
import wave

SILENCE = " Thank you."  # what Whisper famously "hears" in silence: the app must not send silence
# Pitches (Hz) the tests' recordings are made of, and what the fake "hears" in each.
PHRASES = {440: "What is the capital of France?", 660: "Tell me a joke about cats.", 880: "How tall is Everest?"}


def tone_wav(frequency: float, seconds: float, rate: int = 16_000, amplitude: float = 0.5) -> bytes:
    """A mono 16-bit WAV of a sine tone (frequency 0: silence)."""
    count = max(int(seconds * rate), 0)
    peak = int(32767 * amplitude)
    samples = (int(peak * math.sin(2 * math.pi * frequency * n / rate)) if frequency else 0 for n in range(count))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{count}h", *samples))
    return buffer.getvalue()


def pitch_of(audio: bytes) -> tuple[float, float] | None:
    """(seconds, pitch in Hz by zero crossings; 0 when silent) of a 16-bit PCM WAV, or None if it is not one."""
    try:
        with wave.open(io.BytesIO(audio)) as source:
            rate, width, channels = source.getframerate(), source.getsampwidth(), source.getnchannels()
            frames = source.readframes(source.getnframes())
    except (wave.Error, EOFError, struct.error):
        return None
    if width != 2 or not rate:
        return None
    samples = memoryview(frames).cast("h")[::channels]
    seconds = len(samples) / rate
    if not len(samples) or max(abs(min(samples)), max(samples)) < 300:  # about -40 dBFS
        return seconds, 0.0
    crossings = sum(1 for a, b in zip(samples, samples[1:], strict=False) if (a < 0) != (b < 0))
    return seconds, crossings / 2 / seconds


def heard(audio: bytes, filename: str, phrases: dict[int, str]) -> str:
    """What the fake Whisper transcribes: the phrase of the nearest known pitch, else the pitch itself."""
    measured = pitch_of(audio)
    if measured is None:
        return f"A {filename.rsplit('.', 1)[-1]} recording of {len(audio)} bytes."
    pitch = measured[1]
    if not pitch:
        return SILENCE
    nearest = min(phrases, key=lambda known: abs(known - pitch), default=None)
    if nearest is not None and abs(nearest - pitch) <= nearest * 0.05:
        return phrases[nearest]
    return f"A hum at {round(pitch, -1):.0f} hertz."
