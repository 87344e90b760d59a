"""Uploaded photos: only real JPEG/PNG content gets in, and what is stored is a fresh, upright,
scaled-down JPEG without any metadata (no GPS). Stored names cannot be turned into other paths."""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms

from kinderwijkraad.errors import InvalidInput, NotFound
from kinderwijkraad.services.images import (
    MAX_INPUT_PIXELS,
    MAX_PNG_PIXELS,
    MAX_SIDE,
    MAX_UPLOAD_BYTES,
    clean_photo,
    photo_path,
    store_photo,
)

RED = (220, 30, 30)
BLUE = (30, 30, 220)


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG of a few dozen bytes whose header claims `width` x `height` pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00"))
        + _png_chunk(b"IEND", b"")
    )


def _camera_jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KlasTablet"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 5.0, 31.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 53.0, 12.0)
    gps[ExifTags.GPS.GPSMapDatum] = "WGS-84-SCHOOLPLEIN"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.new("RGB", (40, 30), RED)
    return _encode(image, "JPEG", exif=exif, icc_profile=icc, comment=b"op het schoolplein")


def test_a_camera_jpeg_with_gps_comes_back_as_a_jpeg_without_any_metadata():
    upload = _camera_jpeg_with_gps()
    assert b"Exif" in upload and b"WGS-84-SCHOOLPLEIN" in upload  # the fixture really carries GPS

    cleaned = clean_photo(upload)

    image = _open(cleaned)
    assert image.format == "JPEG"
    assert image.size == (40, 30)
    assert not image.getexif()
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
    for secret in (b"Exif", b"WGS-84-SCHOOLPLEIN", b"KlasTablet", b"schoolplein", b"ICC_PROFILE"):
        assert secret not in cleaned


def test_exif_orientation_6_is_applied_so_the_photo_comes_back_upright():
    image = Image.new("RGB", (40, 20), BLUE)
    image.paste(RED, (0, 0, 20, 20))  # left half red
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "turn 90 degrees clockwise to view"

    cleaned = _open(clean_photo(_encode(image, "JPEG", exif=exif, quality=95)))

    assert cleaned.size == (20, 40)
    top, bottom = cleaned.getpixel((10, 8)), cleaned.getpixel((10, 32))
    assert top[0] > 150 > top[2]  # the left half turned to the top
    assert bottom[2] > 150 > bottom[0]
    assert ExifTags.Base.Orientation not in cleaned.getexif()


def test_a_transparent_png_comes_back_as_an_rgb_jpeg_on_white():
    image = Image.new("RGBA", (30, 20), (0, 0, 0, 0))
    image.paste((*RED, 255), (0, 0, 10, 20))

    cleaned = _open(clean_photo(_encode(image, "PNG")))

    assert (cleaned.format, cleaned.mode, cleaned.size) == ("JPEG", "RGB", (30, 20))
    assert min(cleaned.getpixel((25, 10))) > 240  # transparent became white, not black
    assert cleaned.getpixel((3, 10))[0] > 150


def test_a_palette_png_with_a_transparent_colour_is_put_on_white():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([0, 0, 0, *RED])
    image.paste(1, (0, 0, 10, 20))

    cleaned = _open(clean_photo(_encode(image, "PNG", transparency=0)))

    assert cleaned.mode == "RGB"
    assert min(cleaned.getpixel((15, 10))) > 240


def test_a_16_bit_greyscale_png_keeps_its_greys_instead_of_turning_white():
    row = [0] * 8 + [32768] * 8 + [65535] * 16  # black, mid grey, white
    image = Image.frombytes("I;16", (32, 8), struct.pack("<256H", *(row * 8)))

    cleaned = _open(clean_photo(_encode(image, "PNG")))

    assert cleaned.mode == "RGB"
    assert max(cleaned.getpixel((3, 4))) < 15
    assert 110 < cleaned.getpixel((12, 4))[0] < 145
    assert min(cleaned.getpixel((28, 4))) > 240


def test_a_cmyk_jpeg_comes_back_as_rgb():
    cleaned = _open(clean_photo(_encode(Image.new("CMYK", (24, 24), (0, 255, 255, 0)), "JPEG")))

    assert cleaned.mode == "RGB"
    red, green, blue = cleaned.getpixel((12, 12))
    assert red > 200 and green < 50 and blue < 50


def test_a_big_camera_photo_is_scaled_to_the_longest_side_keeping_the_aspect_ratio():
    cleaned = _open(clean_photo(_encode(Image.new("RGB", (4000, 3000), BLUE), "JPEG")))

    assert cleaned.size == (MAX_SIDE, 1200)


def test_a_tall_png_is_scaled_by_its_height():
    cleaned = _open(clean_photo(_encode(Image.new("L", (500, 2000), 128), "PNG")))

    assert cleaned.size == (400, MAX_SIDE)
    assert cleaned.mode == "RGB"


def test_a_small_photo_is_not_enlarged():
    cleaned = _open(clean_photo(_encode(Image.new("RGB", (120, 90), RED), "PNG")))

    assert cleaned.size == (120, 90)


def test_a_multi_picture_jpeg_from_a_phone_is_accepted_as_its_first_picture():
    first, preview = Image.new("RGB", (64, 48), RED), Image.new("RGB", (32, 24), BLUE)
    upload = _encode(first, "MPO", save_all=True, append_images=[preview])
    assert _open(upload).format == "MPO"

    cleaned = _open(clean_photo(upload))

    assert (cleaned.format, cleaned.size) == ("JPEG", (64, 48))
    assert getattr(cleaned, "n_frames", 1) == 1


def _other_formats() -> list[tuple[str, bytes]]:
    small = Image.new("RGB", (16, 16), RED)
    return [
        ("pdf renamed to .jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"),
        ("gif", _encode(small, "GIF")),
        ("bmp", _encode(small, "BMP")),
        ("tiff", _encode(small, "TIFF")),
        ("html", b"<!doctype html><script>alert(1)</script>"),
        ("garbage", bytes(range(256)) * 4),
        ("empty", b""),
        ("jpeg signature then garbage", b"\xff\xd8\xff" + b"\x13\x37" * 200),
        ("png signature then garbage", b"\x89PNG\r\n\x1a\n" + b"\x13\x37" * 200),
    ]


@pytest.mark.parametrize(("label", "data"), _other_formats(), ids=[label for label, _ in _other_formats()])
def test_anything_but_jpeg_or_png_content_is_not_an_image(label, data):
    with pytest.raises(InvalidInput) as refused:
        clean_photo(data)

    assert refused.value.key == "photo.not_an_image", label


def test_a_truncated_jpeg_is_not_an_image():
    photo = _encode(Image.effect_noise((96, 96), 60).convert("RGB"), "JPEG", quality=90)

    with pytest.raises(InvalidInput) as refused:
        clean_photo(photo[: len(photo) // 2])

    assert refused.value.key == "photo.not_an_image"


def test_a_png_with_a_broken_checksum_is_not_an_image():
    photo = bytearray(_encode(Image.new("RGB", (16, 16), RED), "PNG"))
    photo[29] ^= 0xFF  # inside the IHDR CRC

    with pytest.raises(InvalidInput) as refused:
        clean_photo(bytes(photo))

    assert refused.value.key == "photo.not_an_image"


def test_more_than_five_megabytes_is_too_large_before_anything_is_read():
    with pytest.raises(InvalidInput) as refused:
        clean_photo(b"\xff\xd8\xff" + b"\x00" * (6 * 1024 * 1024))

    assert refused.value.key == "photo.too_large"
    assert refused.value.params == {"max_mb": 5}
    assert MAX_UPLOAD_BYTES == 5 * 1024 * 1024


def test_the_hand_made_bomb_png_is_tiny_and_pillow_reads_the_size_it_claims():
    assert len(_png_header_claiming(20_000, 20_000)) < 100
    with Image.open(io.BytesIO(_png_header_claiming(7_000, 6_000))) as image:
        assert (image.format, image.size) == ("PNG", (7_000, 6_000))


@pytest.mark.parametrize(
    "size",
    [(20_000, 20_000), (10_000, 10_000), (7_000, 7_000), (MAX_INPUT_PIXELS + 1, 1)],
    ids=["beyond Pillow's hard limit", "beyond Pillow's warning", "beyond only our limit", "one pixel too many"],
)
def test_a_png_claiming_too_many_pixels_is_refused_from_its_header_without_decoding(size):
    with pytest.raises(InvalidInput) as refused, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        clean_photo(_png_header_claiming(*size))

    assert refused.value.key == "photo.too_many_pixels"


def test_pillows_decompression_bomb_warning_raised_as_an_error_is_too_many_pixels():
    with pytest.raises(InvalidInput) as refused, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        clean_photo(_png_header_claiming(10_000, 10_000))

    assert refused.value.key == "photo.too_many_pixels"


def test_a_png_at_exactly_its_pixel_limit_passes_the_header_check_and_one_more_row_does_not():
    # Right at the limit the header is accepted and decoding starts; this fake has no pixel data.
    with pytest.raises(InvalidInput) as refused:
        clean_photo(_png_header_claiming(MAX_PNG_PIXELS // 4000, 4000))
    assert refused.value.key == "photo.not_an_image"
    with pytest.raises(InvalidInput) as too_big:
        clean_photo(_png_header_claiming(MAX_PNG_PIXELS // 4000 + 1, 4000))
    assert too_big.value.key == "photo.too_many_pixels"


def test_store_photo_writes_the_cleaned_bytes_under_a_random_name_photo_path_finds_it(tmp_path: Path):
    cleaned = clean_photo(_encode(Image.new("RGB", (20, 20), RED), "JPEG"))

    name = store_photo(tmp_path / "photos", cleaned)
    other = store_photo(tmp_path / "photos", cleaned)

    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", name)
    assert name != other
    path = photo_path(tmp_path / "photos", name)
    assert path == tmp_path / "photos" / name
    assert path.read_bytes() == cleaned
    assert sorted(p.name for p in (tmp_path / "photos").iterdir()) == sorted([name, other])  # no temp files left


def test_store_photo_refuses_bytes_that_did_not_come_from_clean_photo(tmp_path: Path):
    with pytest.raises(ValueError):
        store_photo(tmp_path, _encode(Image.new("RGB", (4, 4)), "PNG"))

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "../x.jpg",
        "abc.jpg",
        "/etc/passwd",
        "0123456789ABCDEF0123456789ABCDEF.jpg",
        "0123456789abcdef0123456789abcdef.jpg\n",
        "0123456789abcdef0123456789abcdef.jpeg",
        "0123456789abcdef0123456789abcdef.png",
        "../0123456789abcdef0123456789abcdef.jpg",
        "0123456789abcdef0123456789abcdef.jpg/..",
        "0123456789abcdef0123456789abcde\u0660.jpg",  # a non-ASCII digit
        "",
    ],
)
def test_photo_path_refuses_anything_but_a_stored_photo_name(tmp_path: Path, name: str):
    (tmp_path / "0123456789abcdef0123456789abcdef.jpg").write_bytes(b"\xff\xd8\xff")

    with pytest.raises(NotFound) as refused:
        photo_path(tmp_path, name)

    assert refused.value.key == "error.not_found.photo"


def test_photo_path_of_a_well_formed_name_that_was_never_stored_is_not_found(tmp_path: Path):
    with pytest.raises(NotFound) as refused:
        photo_path(tmp_path, "0123456789abcdef0123456789abcdef.jpg")

    assert refused.value.key == "error.not_found.photo"
