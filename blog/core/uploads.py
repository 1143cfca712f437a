"""Image uploads: verified and re-encoded with Pillow, stored under instance/uploads/.

Only raster images (JPEG, PNG, WebP, GIF) are accepted. Every file is decoded,
re-encoded in its own format without metadata (EXIF, comments, XMP), and written under
a random name, so nothing the uploader controls (name, metadata, trailing bytes, a
polyglot payload) survives.

What decoding may cost is bounded from the header, before any pixel is decoded: the
pixel count (MAX_PIXELS) and the decoded bytes (MAX_DECODED_BYTES). An animation is
stored as its first frame, and no other frame is ever decoded. An image larger than
MAX_SIDE on its longest side is scaled down first (a JPEG is decoded at a reduced
scale already), so what follows works on at most MAX_SIDE x MAX_SIDE pixels.

A narrower copy is made for lists, and for `srcset`
resized variants (VARIANT_WIDTHS narrower than the image, same format) each with a WebP
twin, plus a WebP of the full size: `<name>-480.jpg`, `<name>-480.webp`, `<name>.webp`.
`Upload.variant_widths` lists the widths that exist, the full width last ("480,960,1200");
empty means none were made (an animated GIF stored before animations became their
first frame, or an upload from before variants, which `blog reindex --images` fills in).
"""

from __future__ import annotations

import contextlib
import glob
import io
import multiprocessing
import resource
import secrets
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
}
THUMB_WIDTH = 640
VARIANT_WIDTHS = (480, 960, 1600)
# Far above any photo a newsroom publishes, far below a decompression bomb.
MAX_PIXELS = 50_000_000
# Decoded size of the one frame that is decoded (pixels x bytes per pixel).
MAX_DECODED_BYTES = 200 * 1024 * 1024
# The longest side kept: 1.5 times the widest variant, sharp on any screen.
MAX_SIDE = 2400
TOO_MANY_PIXELS = "That image has too many pixels; please scale it down first."
# Keys of Image.info that describe pixels or animation, not the author or camera.
_KEEP_INFO = ("transparency", "duration", "loop", "background")


class UploadError(ValueError):
    """The file is not an acceptable image; the message is shown to the user."""


@dataclass(frozen=True)
class StoredImage:
    filename: str
    thumb_filename: str
    content_type: str
    width: int
    height: int
    variant_widths: str = ""
    ready: bool = True  # False: kept as uploaded until the worker re-encodes it


def upload_folder() -> Path:
    return Path(current_app.instance_path) / "uploads"


def incoming_folder() -> Path:
    """Uploads as they came, waiting for the worker; never served (outside uploads/)."""
    return Path(current_app.instance_path) / "uploads-incoming"


def _refuse_unknown(data: bytes, filename: str) -> UploadError:
    head = data[:512].lstrip().lower()
    if filename.lower().endswith((".svg", ".svgz")) or head.startswith((b"<?xml", b"<svg")):
        return UploadError(
            "SVG images are not accepted (they can carry scripts). "
            "Please upload a JPEG, PNG, WebP or GIF."
        )
    return UploadError(
        "That file is not an image we accept. Please upload a JPEG, PNG, WebP or GIF."
    )


def _bytes_per_pixel(mode: str) -> int:
    # Pillow keeps "1", "L" and "P" in one byte a pixel, 16-bit modes in two or four.
    return max(1, Image.getmodebands(mode)) * (4 if mode in ("I", "F", "I;16") else 1)


@dataclass(frozen=True)
class Probe:
    """What an image's header says, read without decoding a pixel."""

    fmt: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height

    def fitted(self) -> tuple[int, int]:
        """The size the image is stored at: scaled down to MAX_SIDE (see _fit)."""
        scale = min(1.0, MAX_SIDE / max(self.width, self.height, 1))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))


@contextlib.contextmanager
def _as_upload_errors(data: bytes, filename: str) -> Iterator[None]:
    """Pillow at work on an upload: a decompression bomb (its warning made an error)
    and anything Pillow cannot read become UploadErrors with a message for the user."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except UploadError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise UploadError(TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _refuse_unknown(data, filename) from exc


def probe(data: bytes, filename: str = "") -> Probe:
    """Read and check the header: an accepted format within MAX_PIXELS and
    MAX_DECODED_BYTES; raises UploadError with a message for the user. Cheap: the
    request runs this on every upload before deciding where the decoding happens."""
    with _as_upload_errors(data, filename):
        header = Image.open(io.BytesIO(data))
        fmt = header.format
        if fmt not in FORMATS:
            raise _refuse_unknown(data, filename)
        pixels = header.width * header.height
        if pixels > MAX_PIXELS or pixels * _bytes_per_pixel(header.mode) > MAX_DECODED_BYTES:
            raise UploadError(TOO_MANY_PIXELS)
        header.verify()  # chunk structure and checksums, no pixel decoded
        return Probe(fmt, header.width, header.height)


def _open(data: bytes, filename: str) -> Image.Image:
    """Decode the first frame of the image, or raise UploadError with a message for
    the user; a JPEG larger than MAX_SIDE is decoded at a reduced scale (see above)."""
    probe(data, filename)
    with _as_upload_errors(data, filename):
        image = Image.open(io.BytesIO(data))
        if image.format == "JPEG" and max(image.size) > MAX_SIDE:
            # DCT scaling: 1/2, 1/4 or 1/8 of the pixels decoded, never below MAX_SIDE.
            scale = MAX_SIDE / max(image.size)
            image.draft(image.mode, (round(image.width * scale), round(image.height * scale)))
        image.load()  # the first frame only: nothing here seeks further
    return image


def _clean(image: Image.Image, fmt: str) -> Image.Image:
    """The image with only pixel-describing info left, upright, in a mode `fmt` can save."""
    info = {k: v for k, v in image.info.items() if k in _KEEP_INFO}
    if fmt == "JPEG":
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        info = {}
    elif fmt == "WEBP":
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        info = {}
    image.info = info
    return image


def _fit(image: Image.Image) -> Image.Image:
    """The image scaled down to MAX_SIDE on its longest side (unchanged if smaller)."""
    if max(image.size) <= MAX_SIDE:
        return image
    info = image.info
    if image.mode in ("1", "P"):
        # These modes resize only by nearest neighbour: halve them that way (cheap, no
        # copy in a wider mode) to near 2 x MAX_SIDE, then convert for a smooth resize.
        factor = max(image.size) // (2 * MAX_SIDE)
        if factor > 1:
            image = image.resize((image.width // factor, image.height // factor), Image.NEAREST)
        wide = "RGBA" if "transparency" in info else "L" if image.mode == "1" else "RGB"
        image = image.convert(wide)
    image = image.copy()
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    image.info = {k: v for k, v in info.items() if k != "transparency"}
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    options: dict = {}
    if fmt == "JPEG":
        options = {"quality": 85, "optimize": True}
    elif fmt == "WEBP":
        # method 1 of 0-6: slightly larger files than the default 4, far less CPU.
        options = {"quality": 85, "method": 1}
    elif fmt == "PNG":
        # zlib level 3, not `optimize`: much less CPU on photographic PNGs, about the
        # same size on the flat graphics PNG is mostly used for (bench/README.md).
        options = {"compress_level": 3}
    image.save(out, fmt, **options)
    return out.getvalue()


def process_image(stream: IO[bytes], filename: str = "") -> tuple[StoredImage, dict[str, bytes]]:
    """Validate and re-encode an upload; returns its description and the files' bytes.

    Raises UploadError (message meant for the user) for anything that is not a JPEG,
    PNG, WebP or GIF within UPLOAD_MAX_BYTES. Writes nothing.
    """
    return encode_image(read_upload(stream), filename)


def read_upload(stream: IO[bytes]) -> bytes:
    """The uploaded bytes, or UploadError if empty or above UPLOAD_MAX_BYTES."""
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = stream.read(limit + 1)
    if not data:
        raise UploadError("The file is empty.")
    if len(data) > limit:
        raise UploadError(f"That file is larger than {limit // (1024 * 1024) or 1} MB.")
    return data


def new_name(fmt: str) -> str:
    """A fresh random file name for an image of format `fmt`."""
    return secrets.token_hex(16) + FORMATS[fmt][1]


def encode_image(
    data: bytes, filename: str = "", name: str | None = None
) -> tuple[StoredImage, dict[str, bytes]]:
    """process_image on bytes already read, stored as `name` (a fresh one if None).
    Needs no app context, so it can run in a child process (blog/core/imagework.py)."""
    image = _open(data, filename)
    fmt = str(image.format)
    content_type, ext = FORMATS[fmt]
    main = _fit(_clean(image, fmt))  # an animation is its first frame (module docstring)
    files: dict[str, bytes] = {}
    filename_out = name or new_name(fmt)
    name = filename_out.rpartition(".")[0]
    files[filename_out] = _encode(main, fmt)
    thumb_name = ""
    if main.width > THUMB_WIDTH:
        thumb = main.copy()
        height = max(1, round(main.height * THUMB_WIDTH / main.width))
        thumb = thumb.resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS)
        thumb.info = {k: v for k, v in main.info.items() if k == "transparency"}
        if fmt == "JPEG" and thumb.mode not in ("RGB", "L", "CMYK"):
            thumb = thumb.convert("RGB")
        thumb_name = f"{name}-thumb{ext}"
        files[thumb_name] = _encode(thumb, fmt)
    widths, variants = make_variants(main, fmt, filename_out)
    files.update(variants)
    stored = StoredImage(filename_out, thumb_name, content_type, main.width, main.height, widths)
    return stored, files


def variant_name(filename: str, width: int | None = None, webp: bool = False) -> str:
    """The file of one variant: `<stem>-<width>.<ext>`, `.webp` for the WebP twin;
    width None is the full size."""
    stem, _, ext = filename.rpartition(".")
    return f"{stem}{f'-{width}' if width else ''}.{'webp' if webp else ext}"


def srcsets(filename: str, variant_widths: str, url: Callable[[str], str]) -> tuple[str, str]:
    """(srcset, WebP srcset) of an upload's variants, each file's address given by `url`.

    Both are empty when the upload has no variants; the WebP one also for a WebP image.
    """
    widths = [int(w) for w in variant_widths.split(",") if w.isdigit()]
    if not widths:
        return "", ""

    def srcset(webp: bool) -> str:
        return ", ".join(
            f"{url(variant_name(filename, None if w == widths[-1] else w, webp))} {w}w"
            for w in widths
        )

    return srcset(webp=False), "" if filename.endswith(".webp") else srcset(webp=True)


def _webp_ready(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA"):
        return image
    alpha = "A" in image.getbands() or "transparency" in image.info
    return image.convert("RGBA" if alpha else "RGB")


def make_variants(image: Image.Image, fmt: str, filename: str) -> tuple[str, dict[str, bytes]]:
    """Resized copies and WebP twins of a still image (see the module docstring).

    Returns the `variant_widths` value and the files' bytes; writes nothing.
    """
    files: dict[str, bytes] = {}
    if image.mode == "P":  # palette images resize only by nearest neighbour
        image = image.convert("RGBA")
    widths = [w for w in VARIANT_WIDTHS if w < image.width]
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        small = image.resize((width, height), Image.Resampling.LANCZOS)
        if fmt == "JPEG" and small.mode not in ("RGB", "L", "CMYK"):
            small = small.convert("RGB")
        files[variant_name(filename, width)] = _encode(small, fmt)
        if fmt != "WEBP":
            files[variant_name(filename, width, webp=True)] = _encode(_webp_ready(small), "WEBP")
    if fmt != "WEBP":
        files[variant_name(filename, webp=True)] = _encode(_webp_ready(image), "WEBP")
    return ",".join(str(w) for w in [*widths, image.width]), files


def variants_of_stored(filename: str) -> tuple[str, dict[str, bytes]]:
    """make_variants for a file already in instance/uploads/ (already clean).

    Returns ("", {}) for an animated image; raises OSError or UploadError when the
    file is missing or not an image.
    """
    data = (upload_folder() / filename).read_bytes()
    image = _open(data, filename)
    fmt = str(image.format)
    if getattr(image, "n_frames", 1) > 1:
        return "", {}
    return make_variants(image, fmt, filename)


def stored_files(filename: str, thumb_filename: str = "", variant_widths: str = "") -> list[str]:
    """Every file of one upload: the image, its thumbnail, its variants and the files
    made from it later beside it (`<stem>-crop…`, blog/trust/crops.py)."""
    names = [filename, thumb_filename]
    widths = [int(w) for w in variant_widths.split(",") if w.isdigit()]
    for width in widths[:-1]:
        names += [variant_name(filename, width), variant_name(filename, width, webp=True)]
    if widths:
        names.append(variant_name(filename, webp=True))
    stem = filename.rpartition(".")[0]
    if stem and upload_folder().is_dir():
        names += sorted(path.name for path in upload_folder().glob(f"{glob.escape(stem)}-crop*"))
    return [name for name in dict.fromkeys(names) if name]


def write_files(files: dict[str, bytes], keep_existing: bool = False) -> None:
    """Write processed files under instance/uploads/ (never overwriting one; with
    keep_existing a file already there is left as it is instead of an error)."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        try:
            with open(folder / name, "xb") as f:
                f.write(data)
        except FileExistsError:
            if not keep_existing:
                raise


def remove_files(*names: str) -> None:
    """Delete stored files, ignoring ones already gone."""
    folder = upload_folder()
    for name in names:
        if name and "/" not in name and not name.startswith("."):
            (folder / name).unlink(missing_ok=True)


def save_upload(stream: IO[bytes], filename: str = "") -> StoredImage:
    """process_image + write_files: the slow part of an upload, done before the write
    transaction. The caller adds `Upload(**asdict(stored), uploader_id=...)`."""
    stored, files = process_image(stream, filename)
    write_files(files)
    return stored


def encode_limited(
    data: bytes, filename: str, name: str, memory_bytes: int, cpu_seconds: int
) -> tuple[StoredImage, dict[str, bytes]] | str:
    """encode_image in a child process that may use at most `memory_bytes` more memory
    and `cpu_seconds` of CPU; returns its result, or the reason (for the library) why
    it was refused or stopped. The worker's own memory is never at stake."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_encode_child, args=(sender, data, filename, name, memory_bytes, cpu_seconds)
    )
    child.start()
    sender.close()
    try:
        # The child's CPU limit stops it; the wall clock is only a backstop.
        result = receiver.recv() if receiver.poll(cpu_seconds * 4 + 30) else None
    except EOFError:  # killed (the CPU limit's SIGXCPU) before it could answer
        result = None
    finally:
        receiver.close()
        child.kill()
        child.join()
    if result is None:
        return "Processing it took too much time or memory; please scale it down first."
    return result


def _encode_child(sender, data, filename, name, memory_bytes, cpu_seconds) -> None:
    """The child of encode_limited: set its limits, encode, send the result."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        baseline = pages * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (baseline + memory_bytes, baseline + memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no rlimits (not Linux): only the wall clock bounds it
    try:
        sender.send(encode_image(data, filename, name))
    except UploadError as exc:
        sender.send(str(exc))
    except MemoryError:
        sender.send("Processing it took too much memory; please scale it down first.")
    finally:
        sender.close()
