"""Images made ready for Groq: upright, RGB, JPEG or PNG, only as small as Groq's limits need."""

from __future__ import annotations

import io
import os
from dataclasses import replace

import pytest
from PIL import Image

from models.attachments import AttachmentRefused, prepare_image
from tests.attachments.files import make_image, screenshot


def opened(prepared) -> Image.Image:
    """The prepared image, checked to be what it says, in RGB (a PNG may hold a palette of RGB colours)."""
    image = Image.open(io.BytesIO(prepared.data))
    assert Image.MIME[image.format] == prepared.media_type
    assert image.mode in ("RGB", "P") and image.size == (prepared.width, prepared.height)
    return image.convert("RGB")


def test_a_small_image_goes_as_it_is_in_rgb(limits) -> None:
    prepared = prepare_image("dot.png", make_image((64, 48)), limits)
    image = opened(prepared)
    assert (prepared.media_type, image.size) == ("image/png", (64, 48))
    assert prepared.data_url().startswith("data:image/png;base64,")
    assert image.getpixel((2, 2)) == (0, 0, 0) and image.getpixel((60, 40)) == (255, 255, 255)


def test_exif_orientation_is_applied(limits) -> None:
    """A phone photo stored sideways with orientation 6 ("rotate 90° clockwise") arrives upright."""
    sideways = Image.new("RGB", (80, 40), "white")
    sideways.paste((0, 0, 0), (0, 0, 20, 10))  # the mark at the stored image's top left
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    sideways.save(out, "JPEG", exif=exif, quality=95)
    image = opened(prepare_image("phone.jpg", out.getvalue(), limits))
    assert image.size == (40, 80)
    assert image.getpixel((35, 3))[0] < 60  # top left went to the top right
    assert image.getpixel((3, 3))[0] > 200


def test_transparency_becomes_white_and_a_gif_sends_its_first_frame(limits) -> None:
    clear = Image.new("RGBA", (30, 30), (255, 0, 0, 0))
    out = io.BytesIO()
    clear.save(out, "PNG")
    assert opened(prepare_image("clear.png", out.getvalue(), limits)).getpixel((5, 5)) == (255, 255, 255)
    frames = [Image.new("RGB", (30, 30), color) for color in ("blue", "red", "green")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100)
    first = opened(prepare_image("anim.gif", out.getvalue(), limits)).getpixel((5, 5))
    assert first[2] > 200 and first[0] < 50


def test_webp_goes_as_jpeg(limits) -> None:
    prepared = prepare_image("pic.webp", make_image((50, 50), "WEBP"), limits)
    assert prepared.media_type == "image/jpeg"


def test_a_screenshot_with_small_text_keeps_its_size(limits) -> None:
    """4000 x 3000 of 10 px text: alone it fits Groq's 4 MB untouched, as lossless PNG."""
    prepared = prepare_image("screen.png", screenshot(), limits)
    assert (prepared.media_type, prepared.width, prepared.height) == ("image/png", 4000, 3000)


def test_five_screenshots_share_the_request_and_keep_their_size(limits) -> None:
    """Shared by five, each must fit 0.8 MB of base64: a screenshot's few colours make that at full size."""
    original = Image.open(io.BytesIO(screenshot())).convert("RGB")
    prepared = prepare_image("screen.png", screenshot(), limits, images_in_request=5)
    assert prepared.base64_size <= limits.image_request_mb * 1_000_000 / 5
    assert (prepared.media_type, prepared.width, prepared.height) == ("image/png", 4000, 3000)
    assert opened(prepared).tobytes() == original.tobytes()  # every letter as it was


def test_a_photo_too_big_for_its_share_shrinks_no_further_than_needed(limits) -> None:
    """Many colours (a photo): JPEG, smaller, but close to the share and above the floor."""
    noise = Image.effect_noise((3000, 2000), 60).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95)
    share = limits.image_request_mb * 1_000_000 / 5
    prepared = prepare_image("photo.jpg", out.getvalue(), limits, images_in_request=5)
    assert prepared.media_type == "image/jpeg" and 0.5 * share < prepared.base64_size <= share
    assert limits.image_min_side <= prepared.width < 3000


def test_an_image_over_33_megapixels_is_scaled_to_fit(limits) -> None:
    prepared = prepare_image("wide.jpg", make_image((9000, 4000), "JPEG"), limits)
    assert prepared.width * prepared.height <= limits.image_max_pixels
    assert prepared.width * prepared.height > 0.95 * limits.image_max_pixels  # no further than needed


def test_noise_that_cannot_fit_is_refused(limits) -> None:
    noise = Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    tight = replace(limits, image_request_mb=0.2)
    with pytest.raises(AttachmentRefused) as caught:
        prepare_image("noise.png", out.getvalue(), tight)
    assert str(caught.value) == ("“noise.png” is too large to send, even made smaller: it would not fit "
                                 "Groq's 0.2 MB limit for images without losing its detail.")


def test_a_sixth_image_is_refused(limits) -> None:
    with pytest.raises(AttachmentRefused) as caught:
        prepare_image("six.png", make_image((10, 10)), limits, images_in_request=6)
    assert str(caught.value) == "“six.png” is one image too many: a message can carry at most 5 images."


def test_a_damaged_image_is_refused(limits) -> None:
    data = make_image((200, 200), "PNG")
    with pytest.raises(AttachmentRefused) as caught:
        prepare_image("cut.png", data[: len(data) // 2], limits)
    assert str(caught.value) == "“cut.png” is damaged and can't be read as an image."


def test_a_decompression_bomb_is_refused_before_decoding(limits) -> None:
    huge = make_image((12000, 12000), "PNG")  # 144 MP of one colour: a small file, four times Groq's limit
    with pytest.raises(AttachmentRefused, match="“huge.png” is too large to send"):
        prepare_image("huge.png", huge, limits)
