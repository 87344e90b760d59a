"""A corpus of hostile and odd input, as data: what people paste, what tools leave behind, what an
attacker tries. tests/test_bad_input.py feeds it through the services and the pages.

Each text case says what a field that takes it stores (`stored`): the text as typed, trimmed, with
the characters nobody types removed (services.common.clean_text). `stored=None` means the length
decides (a limit refuses it, or a name field cuts it). A field whose rules refuse a case (a first
name with digits, an empty title) refuses it with a message instead.
"""

from __future__ import annotations

import functools
import struct
import zlib
from dataclasses import dataclass

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    stored: str | None

    def __str__(self) -> str:  # pytest ids and failure lists
        return self.name


def _kept(name: str, text: str) -> Case:
    return Case(name, text, text)


TEXTS: tuple[Case, ...] = (
    # markup: stored as typed, shown as typed (never run, never rendered)
    _kept("script_tag", "<script>alert(1)</script>"),
    _kept("img_onerror", "<img src=x onerror=alert(1)>"),
    _kept("html_entities", "&lt;b&gt; &amp; <b>vet</b> &#x3C;"),
    _kept("markdown_js_link", "[klik hier](javascript:alert(1))"),
    _kept("markdown_image", "![x](http://evil.example/x.png)"),
    _kept("markdown_heading_table", "# Kop\n| a | b |\n|---|---|\n| 1 | 2 |"),
    _kept("streamlit_directives", ":red[rood] :material/home: $x^2$ **vet** `code`"),
    # strings that mean something to other layers
    _kept("sql_drop", "'; DROP TABLE plan; --"),
    _kept("sql_or", "' OR '1'='1"),
    _kept("format_percent", "%s %d %(name)s %%"),
    _kept("format_braces", "{0} {name} {{}} {__class__.__mro__}"),
    _kept("path_traversal", "../../etc/passwd"),
    # scripts and symbols people really type
    _kept("emoji", "Speeltuin 🛝🌳 👍🏽"),
    _kept("emoji_zwj_skin_tones", "👩🏾‍👩🏻‍👧‍👦 en 🏳️‍🌈 en 🧑🏿‍🦽"),
    _kept("arabic", "حديقة للأطفال في الحي"),
    _kept("hebrew", "גן שעשועים חדש"),
    _kept("mixed_rtl_ltr", "Park פארק park حديقة 123"),
    _kept("rtl_override", "schommel\u202eetiw\u202c"),  # bidi controls are typed text: kept, shown escaped
    # invisible and control characters: removed (a NUL would crash PostgreSQL)
    Case("nul_byte", "park\x00tuin", "parktuin"),
    Case("c0_controls", "a\x01\x07\x08\x1b[31mb\x7f", "a[31mb"),
    Case("c1_controls", "a\x85\x9bb", "ab"),
    Case("zero_width_padding", "\ufeff\u200bSpeeltuin\u200d\u2060", "Speeltuin"),
    Case("zero_width_only", "\u200b\u200d\ufeff", ""),
    Case("whitespace_only", " \t\n\u00a0\u3000 ", ""),
    Case("crlf_lines", "regel 1\r\nregel 2\rregel 3", "regel 1\nregel 2\nregel 3"),
    Case("decomposed_accent", "Cafe\u0301 de Re\u0302ve", "Café de Rêve"),
    Case("lone_surrogate", "ab\ud800cd", "abcd"),  # cannot come from a browser; cleaned all the same
    # sizes
    Case("long_word", "Supercalifragilistisch" * 200, None),  # 4400 characters, no space
    Case("one_megabyte", "x" * MEGABYTE, None),
    Case("one_megabyte_of_inner_spaces", "a" + " " * MEGABYTE + "b", None),
)

# The cases where storage differs by engine or by field rule, plus one of each kind of markup: every
# text field gets these; a few representative fields get the whole corpus (the rest behave alike).
CORE: tuple[Case, ...] = tuple(case for case in TEXTS if case.name in {
    "script_tag", "sql_drop", "emoji_zwj_skin_tones", "nul_byte", "c0_controls", "zero_width_only",
    "lone_surrogate", "one_megabyte"})

# Codes and tokens a child or an official could type, paste or forge.
CODES: tuple[Case, ...] = (
    Case("empty", "", None),
    Case("random", "ZZZZ-ZZZZ", None),
    Case("lower_with_spaces", " zz zz zz ", None),
    Case("sql", "' OR 1=1 --", None),
    Case("nul_byte", "ABC\x00DEF", None),
    Case("emoji", "🗳️🗳️🗳️", None),
    Case("arabic_digits", "٣٤٥٦٧٨", None),
    Case("lone_surrogate", "AB\ud800CD", None),
    Case("one_megabyte", "A" * MEGABYTE, None),
)


def has_untypeable(text: str) -> bool:
    """A character no stored text may hold (see services.common.clean_text)."""
    return any((ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000
               for c in text)


# --- files that lie about their type ---------------------------------------------------------


@functools.cache
def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A real, valid PNG of `width` x `height` black pixels (1 bit each): a few dozen kB on disk,
    50 MB once decoded. Written row by row, so making it costs no more memory than the file."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer, row = zlib.compressobj(9), b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def bad_files() -> list[tuple[str, bytes]]:
    """Uploads a tablet could send as "photo.jpg". Each must be refused with a message."""
    return [
        ("pdf_named_jpg", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"),
        ("text_named_jpg", "Dit is geen foto, maar tekst 🛝\n".encode() * 40),
        ("svg_with_script", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script>'
                            b"<rect width='10' height='10'/></svg>"),
        ("html", b"<!doctype html><img src=x onerror=alert(1)>"),
        ("png_header_then_garbage", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
        ("jpeg_header_then_garbage", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8),
        ("decompression_bomb_20000x20000", bomb_png()),
        ("six_megabytes", b"\xff\xd8\xff\xe0" + b"\x00" * (6 * MEGABYTE)),
        ("empty", b""),
    ]
