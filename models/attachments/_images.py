"""Images made ready for Groq with Pillow: upright (EXIF orientation applied), RGB, JPEG or PNG, and
only as small as Groq's limits need (4 MB of base64 a request, shared by its images; 33 megapixels an
image). To keep small text readable an image is first re-encoded (PNG; for a screenshot or diagram, a
PNG of its 256 colours; then JPEG at falling quality) and only then shrunk, never below
`settings.image_min_side` on its longer side: refused instead."""

from __future__ import annotations

import io
import math
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from models.attachments._records import AttachmentRefused, PreparedImage

# Tried in turn at each size; the first that fits is sent. Screenshots and diagrams (PNG and GIF
# sources) try lossless PNG first, since JPEG blurs thin text at the same size.
JPEG_QUALITIES = (90, 80, 70)
PALETTE_COLOURS = 256
# Never decoded: an image this many times over Groq's pixel limit (a decompression bomb, or a
# scan far beyond what any model reads) is refused before its pixels are read.
MAX_SOURCE_FACTOR = 4
_DATA_URL_PREFIX = len("data:image/jpeg;base64,")


def base64_length(size: int) -> int:
    """How long the data URL of `size` bytes is."""
    return _DATA_URL_PREFIX + 4 * math.ceil(size / 3)


def prepare_image(name: str, data: bytes, settings, *, images_in_request: int = 1) -> PreparedImage:
    """`data` as Groq should receive it, one of `images_in_request` images sharing a request's
    limit; AttachmentRefused (one sentence naming the file) when it cannot be made to fit."""
    limit = settings.images_per_request
    if images_in_request > limit:
        raise AttachmentRefused(f"“{name}” is one image too many: a message can carry at most {limit} images.")
    budget = int(settings.image_request_mb * 1_000_000 / max(1, images_in_request))
    image, lossless = _opened(name, data, settings)
    few_colours = lossless and image.getcolors(PALETTE_COLOURS) is not None
    width, height = image.size
    scale = min(1.0, math.sqrt(settings.image_max_pixels / (width * height)))
    while True:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        if max(size) < min(settings.image_min_side, max(width, height)):
            share = "" if images_in_request == 1 else f" ({images_in_request} images share it)"
            raise AttachmentRefused(
                f"“{name}” is too large to send, even made smaller: it would not fit Groq's "
                f"{settings.image_request_mb:g} MB limit for images{share} without losing its detail.")
        resized = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        smallest = None
        for encoded, media_type in _encodings(resized, lossless, few_colours):
            if base64_length(len(encoded)) <= budget:
                return PreparedImage(encoded, media_type, *size)
            smallest = min(smallest or len(encoded), len(encoded))
        # Bytes grow about with the pixel count: aim just under the budget, by at least 10 % a step.
        scale *= min(0.9, 0.97 * math.sqrt(budget / base64_length(smallest)))


def _opened(name: str, data: bytes, settings) -> tuple[Image.Image, bool]:
    """The first frame, upright and in RGB (transparency on white), and whether the source was lossless."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > settings.image_max_pixels * MAX_SOURCE_FACTOR:
                raise AttachmentRefused(f"“{name}” is too large to send: {image.width} × {image.height} pixels.")
            lossless = image.format in ("PNG", "GIF")
            image.seek(0)  # a GIF's (or animated WebP's) first frame
            image = ImageOps.exif_transpose(image)
            image.load()
    except AttachmentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AttachmentRefused(f"“{name}” is too large to send: it has far too many pixels.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        # Pillow reports truncated or corrupt data as any of these.
        raise AttachmentRefused(f"“{name}” is damaged and can't be read as an image.") from None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    return image, lossless


def _encodings(image: Image.Image, lossless: bool, few_colours: bool):
    """The image encoded each way worth trying, best first: (bytes, media type)."""
    if lossless:
        yield _encode(image, "PNG", compress_level=6), "image/png"
    if few_colours:
        # A screenshot's text is a few colours (and their anti-aliased edges): as a palette PNG it
        # is a tenth of the size with every letter intact, where JPEG would blur it.
        yield _encode(_palette_image(image), "PNG", compress_level=6), "image/png"
    for quality in JPEG_QUALITIES:
        yield _encode(image, "JPEG", quality=quality), "image/jpeg"


def _palette_image(image: Image.Image) -> Image.Image:
    """The image with a palette: median cut keeps an image of 256 colours or fewer exactly, and
    picks the 256 that represent a shrunk screenshot's anti-aliased edges best."""
    return image.quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT)


def _encode(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()
