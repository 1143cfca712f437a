"""Image files that cost too much (issue 23): bounded before decoding, one frame only,
scaled down first. The bombs are built here; how long an upload takes is measured by
bench/ (bench/README.md), not by a timed test."""

import io
import struct
import zlib

import pytest
from PIL import GifImagePlugin, Image

from blog.core import uploads
from blog.core.uploads import MAX_SIDE, UploadError, process_image


def png_header_only(width: int, height: int, mode_byte: int = 6) -> bytes:
    """A valid PNG that declares `width` x `height` (RGBA) with one tiny IDAT: what a
    decompression bomb looks like before it is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, mode_byte, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (7200, 7200), (60_000, 1000)],
)
def test_too_many_pixels_are_refused_from_the_header(app, width, height):
    with app.app_context(), pytest.raises(UploadError, match="too many pixels"):
        process_image(io.BytesIO(png_header_only(width, height)), "bomb.png")


def test_too_many_decoded_bytes_are_refused_before_decoding(app, monkeypatch):
    # 6000 x 6000 RGBA is 144 MB decoded: under the pixel cap, over a 100 MB byte cap.
    monkeypatch.setattr(uploads, "MAX_DECODED_BYTES", 100 * 1024 * 1024)
    with app.app_context(), pytest.raises(UploadError, match="too many pixels"):
        process_image(io.BytesIO(png_header_only(6000, 6000)), "wide.png")


def test_an_animation_is_stored_as_its_first_frame_and_no_other_is_decoded(app, monkeypatch):
    frames = [Image.new("P", (3000, 3000), colour) for colour in (1, 2, 3, 4)]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    seeks: list[int] = []
    real_seek = GifImagePlugin.GifImageFile.seek

    def seek(self, frame):
        seeks.append(frame)
        return real_seek(self, frame)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "seek", seek)

    with app.app_context():
        stored, files = process_image(io.BytesIO(data), "animated.gif")

    assert max(seeks, default=0) == 0
    with Image.open(io.BytesIO(files[stored.filename])) as kept:
        assert getattr(kept, "n_frames", 1) == 1
        assert kept.size == (MAX_SIDE, MAX_SIDE)
    assert stored.variant_widths  # a still now: it gets variants like any other


def test_a_huge_one_bit_png_is_scaled_down_before_the_work(app):
    data = encoded(Image.new("1", (7070, 7070), 0), "PNG")
    assert len(data) < 10_000  # the 6 KB file of the audit

    with app.app_context():
        stored, files = process_image(io.BytesIO(data), "tiny.png")

    assert (stored.width, stored.height) == (MAX_SIDE, MAX_SIDE)
    assert all(len(blob) < 2_000_000 for blob in files.values())


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(app, monkeypatch):
    photo = Image.linear_gradient("L").resize((6000, 4000)).convert("RGB")
    data = encoded(photo, "JPEG", quality=80)
    decoded: list[tuple[int, int]] = []
    real_load = Image.Image.load

    def load(self):
        result = real_load(self)
        if self.format == "JPEG":
            decoded.append(self.size)
        return result

    monkeypatch.setattr(Image.Image, "load", load)

    with app.app_context():
        stored, _files = process_image(io.BytesIO(data), "photo.jpg")

    assert (stored.width, stored.height) == (2400, 1600)
    assert decoded and max(w for w, _h in decoded) == 3000  # DCT-scaled by 1/2
