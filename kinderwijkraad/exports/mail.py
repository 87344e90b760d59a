"""E-mails as MIME messages: plain text plus simple HTML, an optional PDF, and headers no typed text
can break.

Pure: a service gives the words (already chosen, see services/mail.py) and gets an
`email.message.EmailMessage` back. Every header value passes through `one_line`, so a name or a
title with a line break, a control character or a thousand characters cannot add a header or
break the message; non-Latin scripts and emoji are encoded by the standard library (RFC 2047).
The Message-ID is derived from the message's idempotency key, so a message sent again after a
crash is recognisably the same message.
"""

from __future__ import annotations

import hashlib
import html
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formatdate, parseaddr

from kinderwijkraad.exports.pdf import ELLIPSIS

SUBJECT_LIMIT = 150  # characters; longer subjects are cut with an ellipsis
NAME_LIMIT = 80


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a letter; `link` makes it a link (shown in full in the text part)."""

    text: str
    link: str = ""


@dataclass(frozen=True)
class Letter:
    """What one message says, in the recipient's language."""

    subject: str
    greeting: str
    paragraphs: list[Paragraph]
    closing: str
    signature: str
    attachment_name: str = ""
    attachment: bytes = field(default=b"", repr=False)


def one_line(text: str, limit: int) -> str:
    """A header-safe version of typed text: every control character (CR, LF, tab, NUL, …) becomes a
    space, runs of spaces one, and the result is cut at `limit` characters with an ellipsis."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + ELLIPSIS


def message_id(key: str, domain: str) -> str:
    """The same key gives the same Message-ID, whichever process or try sends it."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def address(name: str, mail_address: str) -> Address:
    """An address header value with a display name that cannot break out of its quotes."""
    user, _, domain = mail_address.strip().rpartition("@")
    # A domain with accents goes out in its ASCII form (IDNA), which every mail server reads.
    ascii_domain = domain if domain.isascii() else domain.encode("idna").decode("ascii")
    return Address(display_name=one_line(name, NAME_LIMIT), username=user, domain=ascii_domain)


def _text(letter: Letter) -> str:
    lines = [letter.greeting, ""]
    for paragraph in letter.paragraphs:
        lines += [paragraph.text + (f"\n{paragraph.link}" if paragraph.link else ""), ""]
    lines += [letter.closing, letter.signature]
    return "\n".join(lines) + "\n"


def _html(letter: Letter) -> str:
    def part(paragraph: Paragraph) -> str:
        text = html.escape(paragraph.text).replace("\n", "<br>")
        if not paragraph.link:
            return f"<p>{text}</p>"
        href = html.escape(paragraph.link, quote=True)
        return f'<p>{text}<br><a href="{href}" style="font-weight:bold">{href}</a></p>'

    body = "\n".join(part(p) for p in letter.paragraphs)
    return (f'<!DOCTYPE html><html lang="nl"><body style="font-family:sans-serif;font-size:16px;line-height:1.5">\n'
            f"<p>{html.escape(letter.greeting)}</p>\n{body}\n"
            f"<p>{html.escape(letter.closing)}<br>{html.escape(letter.signature)}</p>\n</body></html>\n")


def build_message(letter: Letter, *, key: str, sender: str, to_name: str, to_address: str,
                  reply_to: tuple[str, str] | None, sent_at: datetime | None = None) -> EmailMessage:
    """The message as it goes to the mail server. `sender` is a full From value, e.g.
    "Kinderwijkraad <kwr@example.nl>"; `reply_to` is (name, address) of the facilitator."""
    sender_name, sender_address = parseaddr(sender)
    message = EmailMessage()
    message["Subject"] = one_line(letter.subject, SUBJECT_LIMIT)
    message["From"] = address(sender_name or "Kinderwijkraad", sender_address)
    message["To"] = address(to_name, to_address)
    if reply_to and reply_to[1]:
        message["Reply-To"] = address(*reply_to)
    message["Date"] = format_datetime(sent_at) if sent_at else formatdate(localtime=False)
    message["Message-ID"] = message_id(key, sender_address.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a machine's letter
    message.set_content(_text(letter))
    message.add_alternative(_html(letter), subtype="html")
    if letter.attachment:
        message.add_attachment(letter.attachment, maintype="application", subtype="pdf",
                               filename=one_line(letter.attachment_name, 120))
    return message
