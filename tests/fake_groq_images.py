"""The fake's image rules, as Groq documents them for vision models: images come as `image_url` parts of
user messages, base64 data URLs at most 4 MB in all per request (413 past that), at most 5 images a request
and 33 megapixels an image (400), only to a model that reads images (400). Each image is decoded, so a
part whose bytes are not an image is refused, and its tokens are counted by its size."""

import base64
import binascii
import io
import math
import re
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

BASE64_LIMIT = 4 * 1024 * 1024  # bytes of base64 image data in one request
MAX_IMAGES = 5
MAX_PIXELS = 33_177_600  # 33 megapixels (7680 x 4320)
PATCH = 28  # a vision encoder's patch side: one token per patch, as Qwen's image tokens are counted
DATA_URL = re.compile(r"data:(image/(?:png|jpeg|webp|gif));base64,(.*)", re.DOTALL)
TOO_LARGE = "Request Entity Too Large"  # Groq's 413 for a body over its size limit


@dataclass(frozen=True)
class SeenImage:
    """One image as the fake decoded it: where it was, what it is and how big."""

    message: int
    media_type: str
    width: int
    height: int
    base64_bytes: int

    @property
    def tokens(self) -> int:
        return math.ceil(self.width / PATCH) * math.ceil(self.height / PATCH) + 2  # and its start/end markers

    def describe(self) -> str:
        return f"{self.media_type} {self.width}x{self.height}"


def image_urls(content) -> list[dict]:
    """The image_url parts of a message's content."""
    if not isinstance(content, list):
        return []
    return [p for p in content if isinstance(p, dict) and p.get("type") == "image_url"]


def check_images(messages: list[dict], reads_images: bool, refusal: type) -> list[SeenImage]:
    """Every image of the request decoded, or a `refusal(status, message, ...)` as Groq would answer."""
    parts = [(index, message.get("role"), part) for index, message in enumerate(messages)
             for part in image_urls(message.get("content"))]
    if not parts:
        return []
    urls = [part.get("image_url") for _, _, part in parts]
    base64_total = sum(len(url.get("url", "")) for url in urls if isinstance(url, dict)
                       and str(url.get("url", "")).startswith("data:"))
    if base64_total > BASE64_LIMIT:
        raise refusal(413, TOO_LARGE, code="request_too_large")
    if not reads_images:
        raise refusal(400, f"messages[{parts[0][0]}].content: image input is not supported with this model",
                      param="messages")
    if len(parts) > MAX_IMAGES:
        raise refusal(400, f"Too many images provided. This model supports up to {MAX_IMAGES} images per request.",
                      param="messages")
    return [_decode(index, role, part, refusal) for index, role, part in parts]


def _decode(index: int, role, part: dict, refusal: type) -> SeenImage:
    where = f"messages[{index}].content"
    if role != "user":
        raise refusal(400, f"{where}: images are only supported in user messages", param="messages")
    url = part.get("image_url")
    url = url.get("url") if isinstance(url, dict) else None
    if not isinstance(url, str):
        raise refusal(400, f"{where}: image_url.url is required", param="messages")
    match = DATA_URL.fullmatch(url)
    if match is None:
        # Tests never reach the internet, so a remote URL is refused rather than fetched.
        raise refusal(400, f"{where}: only base64 data URLs of PNG, JPEG, WebP or GIF images are accepted here",
                      param="messages")
    try:
        data = base64.b64decode(match.group(2), validate=True)
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.verify()
    except (binascii.Error, ValueError, UnidentifiedImageError, OSError):
        raise refusal(400, f"{where}: invalid image data", param="messages") from None
    if width * height > MAX_PIXELS:
        raise refusal(400, f"{where}: image resolution exceeds the maximum of 33 megapixels", param="messages")
    return SeenImage(index, match.group(1), width, height, len(url))


PASSAGE = re.compile(r'<passage source="([^"]+)">\s*(.*?)\s*</passage>', re.DOTALL)
ECHOED_PASSAGES = 3
ECHOED_WORDS = 12


def what_was_seen(user_texts: list[str], images: tuple[SeenImage, ...]) -> str:
    """What an echo adds about the request's attachments: the images it decoded, and the passages it was
    given, cited as a model told to cite them would ([file p. N]) with their first words."""
    said = ""
    if images:
        said += " · Saw " + ", ".join(image.describe() for image in images) + "."
    passages = [found for text in user_texts for found in PASSAGE.findall(text)]
    for source, text in passages[:ECHOED_PASSAGES]:
        words = text.split()
        said += f" [{source}] “{' '.join(words[:ECHOED_WORDS])}{' …' if len(words) > ECHOED_WORDS else ''}”"
    if len(passages) > ECHOED_PASSAGES:
        said += f" (+{len(passages) - ECHOED_PASSAGES} more passages)"
    return said
