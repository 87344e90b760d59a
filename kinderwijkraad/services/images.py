"""The optional photo a child adds of a place in the neighbourhood: checked, cleaned, stored.

Children take these photos with a classroom tablet, and a tablet camera writes EXIF into every
JPEG, often with the GPS position of where it was taken: near the child's school or home. So an
upload is never stored as it came. It is decoded and re-encoded as a fresh JPEG without any
metadata (no EXIF, no GPS, no ICC profile, no comment), after turning it upright (EXIF
orientation) and scaling it down to a sensible size.

Only JPEG, PNG and HEIC/HEIF (what an iPad's camera writes; read through pillow-heif) are accepted,
decided by the content (magic bytes and the format Pillow detects), never by the file name. A HEIC
photo is re-encoded like the rest: its EXIF and XMP stay behind. The size in pixels is read from the
header and refused before anything is decoded, so a tiny file that claims 20000 x 20000 pixels (a
decompression bomb) costs nothing.

What cannot be checked here is what the photo shows. The rule "no faces, no people" is explained to
the children in the upload screen; a facilitator looks at the photos before anything is published.

Pure module: no database, no Streamlit. `clean_photo` turns bytes into bytes, `store_photo` writes
them under a random name, `photo_path` turns a stored name back into a path and refuses anything
that is not exactly such a name.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
from pathlib import Path

import pillow_heif
from PIL import Image, ImageOps

from kinderwijkraad.errors import InvalidInput, KwrError, NotFound

# Registers the "HEIF" format with Pillow: Image.open(..., formats=["HEIF"]) reads HEIC photos.
# libheif applies the photo's rotation while decoding and pillow-heif then sets the EXIF
# orientation to 1, so exif_transpose below does not turn it a second time.
pillow_heif.register_heif_opener()

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_INPUT_PIXELS = 40_000_000  # refuse before decoding: decompression bombs, a 20k x 20k PNG
MAX_SIDE = 1600  # longest side after re-encoding
# A PNG is decoded in full (JPEG can be scaled while decoding): a 16 MP RGBA PNG already takes
# 64 MB, and a well-compressed 170 KB PNG can claim 40 MP. Camera photos are JPEG anyway.
MAX_PNG_PIXELS = 16_000_000
JPEG_QUALITY = 85

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# An ISO media file starts with a "ftyp" box: 4 bytes of size, "ftyp", then the major brand. These
# brands are HEIF still images (an iPad writes "heic"; "mif1" is HEIF in general).
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
# Phones write multi-picture JPEGs (a preview or depth image after the photo); Pillow reports those
# as "MPO". The bytes still start as a JPEG and the first frame is the photo.
_JPEG_FORMATS = frozenset({"JPEG", "MPO"})
_PHOTO_NAME = re.compile(r"[0-9a-f]{32}\.jpg")
_WHITE = (255, 255, 255)


def clean_photo(data: bytes) -> bytes:
    """Check an uploaded photo (JPEG, PNG or HEIC) and return it as an upright JPEG of at most MAX_SIDE pixels,
    without metadata.

    Raises InvalidInput "photo.too_large", "photo.not_an_image" or "photo.too_many_pixels"; a
    broken or hostile file never gets out of here as a traceback.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("photo.too_large", max_mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    if data.startswith(_JPEG_MAGIC):
        plugin, formats = "JPEG", _JPEG_FORMATS
    elif data.startswith(_PNG_MAGIC):
        plugin, formats = "PNG", frozenset({"PNG"})
    elif data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        plugin, formats = "HEIF", frozenset({"HEIF"})
    else:
        raise InvalidInput("photo.not_an_image")
    try:
        with Image.open(io.BytesIO(data), formats=[plugin]) as image:
            if image.format not in formats:
                raise InvalidInput("photo.not_an_image")
            width, height = image.size  # from the header: nothing is decoded yet
            if width <= 0 or height <= 0:
                raise InvalidInput("photo.not_an_image")
            # A HEIC photo is decoded in full too, but iPad photos are 12 MP, so the JPEG bound holds.
            if width * height > (MAX_PNG_PIXELS if plugin == "PNG" else MAX_INPUT_PIXELS):
                raise InvalidInput("photo.too_many_pixels")
            return _reencode(image)
    except KwrError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limits are looser than ours, so normally our check above refuses first; the
        # warning only arrives here as an exception where warnings are turned into errors.
        raise InvalidInput("photo.too_many_pixels") from exc
    except Exception as exc:
        # Hostile or broken input can make an image parser raise almost anything (OSError for a
        # truncated file, SyntaxError, ValueError, EOFError, struct.error, ...). All of it means
        # the same to a child: this is not a photo we can use.
        raise InvalidInput("photo.not_an_image") from exc


def _reencode(image: Image.Image) -> bytes:
    """Upright, RGB on white, longest side at most MAX_SIDE, as a fresh JPEG without any metadata."""
    if image.format in _JPEG_FORMATS:
        # Let the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding: far less memory and time
        # for a large camera photo. It never goes below the target size, so no detail is lost.
        # The bound is square, so turning the photo upright afterwards does not change it.
        image.draft(None, _fitted(image.size))
    # Scale down before turning upright and flattening, so those copies are small.
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    upright = ImageOps.exif_transpose(image)
    rgb = _on_white(upright)
    # A new image has an empty `info`: nothing of the upload (EXIF, GPS, ICC profile, comment,
    # XMP) can ride along into the saved file, whatever the encoder would pick up from `info`.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _fitted(size: tuple[int, int]) -> tuple[int, int]:
    """The size within a MAX_SIDE square, keeping the aspect ratio; never larger than `size`."""
    width, height = size
    longest = max(width, height)
    if longest <= MAX_SIDE:
        return width, height
    return max(1, width * MAX_SIDE // longest), max(1, height * MAX_SIDE // longest)


def _on_white(image: Image.Image) -> Image.Image:
    """The image in RGB; transparent parts (a PNG cut-out) become white instead of black."""
    if image.mode == "I" or image.mode.startswith("I;16"):
        # A 16-bit greyscale PNG: bring 0..65535 down to 0..255 instead of clipping it to white.
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, _WHITE)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if image.mode == "RGB":
        return image
    return image.convert("RGB")


def store_photo(directory: Path, cleaned: bytes) -> str:
    """Write a cleaned photo under a new random name in `directory` and return that name.

    The file appears complete or not at all: it is written to a temporary file in the same
    directory and then renamed. Only output of `clean_photo` belongs here.
    """
    if not cleaned.startswith(_JPEG_MAGIC):
        raise ValueError("store_photo takes the output of clean_photo")
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(cleaned)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, directory / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


def photo_path(directory: Path, name: str) -> Path:
    """The path of a stored photo; NotFound "error.not_found.photo" for any other name or a missing file.

    Only names `store_photo` makes are accepted (32 lowercase hex digits and ".jpg"), so no name
    can point outside `directory`.
    """
    if not isinstance(name, str) or _PHOTO_NAME.fullmatch(name) is None:
        raise NotFound("error.not_found.photo")
    path = directory / name
    if not path.is_file():
        raise NotFound("error.not_found.photo")
    return path
