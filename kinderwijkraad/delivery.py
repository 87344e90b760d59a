"""Handing one e-mail over: to the mail server named by KWR_SMTP_URL, or, without one, as an .eml
file in the outbox folder (the embedded default: `make run` works without a mail server, and a
developer opens the files in any mail program).

`smtp://user:password@host:587` speaks STARTTLS when the server offers it and refuses to send a
password over a connection that is not encrypted; `smtps://host:465` is TLS from the start. The
server's certificate is checked against the system's CAs (plus KWR_SMTP_CA_FILE when set).
An error says whether trying again later may help (`DeliveryError.temporary`).
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kinderwijkraad.config import MailSettings

TIMEOUT_SECONDS = 30.0
OUTBOX = "outbox"  # what `delivered_to` says for the outbox folder


class DeliveryError(Exception):
    """The message was not handed over; `temporary` says whether a later try may succeed."""

    def __init__(self, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


def deliver(message: EmailMessage, mail: MailSettings, *, file_stem: str, timeout: float = TIMEOUT_SECONDS) -> str:
    """Hand the message over; returns where it went ("host:port" or "outbox")."""
    if mail.smtp_url is None:
        return _to_outbox(message, mail.outbox_dir, file_stem)
    return _to_server(message, mail, timeout)


def _to_outbox(message: EmailMessage, folder: Path, file_stem: str) -> str:
    """Written whole or not at all (a temporary file renamed into place); the same message
    delivered again replaces its own file."""
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", file_stem).strip("-.") or "message"
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(message.as_bytes())
        os.replace(temporary, folder / f"{name}.eml")
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise DeliveryError(f"outbox: {error.strerror or error}", temporary=True) from error
    return OUTBOX


def _context(mail: MailSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if mail.ca_file is not None:
        context.load_verify_locations(cafile=str(mail.ca_file))
    return context


def _to_server(message: EmailMessage, mail: MailSettings, timeout: float) -> str:
    url = urlsplit(mail.smtp_url or "")
    implicit_tls = url.scheme == "smtps"
    host = url.hostname or ""
    port = url.port or (465 if implicit_tls else 587)
    where = f"{host}:{port}"
    user, password = unquote(url.username or ""), unquote(url.password or "")
    if not (user + password).isascii():  # smtplib can only send an ASCII login (it would raise mid-run)
        raise DeliveryError(f"{where}: the user name or password in KWR_SMTP_URL has characters other than "
                            "ASCII, which cannot be sent", temporary=False)
    try:
        server: smtplib.SMTP
        if implicit_tls:
            server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=_context(mail))
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        try:
            server.ehlo()
            if not implicit_tls and server.has_extn("starttls"):
                server.starttls(context=_context(mail))
                server.ehlo()
            elif not implicit_tls and user:
                raise DeliveryError(f"{where} offers no STARTTLS: the password is not sent unencrypted",
                                    temporary=False)
            if user:
                server.login(user, password)
            server.send_message(message)
        except BaseException:
            _goodbye(server)
            raise
        _goodbye(server)  # the server took the message: a goodbye that fails must not make it go again
    except DeliveryError:
        raise
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        raise DeliveryError(_reply(where, code, reply), temporary=400 <= code < 500) from error
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(_reply(where, error.smtp_code, error.smtp_error),
                            temporary=not 500 <= error.smtp_code < 600) from error
    except ssl.SSLCertVerificationError as error:
        raise DeliveryError(f"{where}: certificate not trusted ({error.verify_message})", temporary=True) from error
    except (OSError, smtplib.SMTPException) as error:  # refused, reset, timed out, name unknown
        reason = "timed out" if isinstance(error, socket.timeout) else (str(error) or type(error).__name__)
        raise DeliveryError(f"{where}: {reason}", temporary=True) from error
    return where


def _goodbye(server: smtplib.SMTP) -> None:
    """QUIT and close; a QUIT that fails (421, a reset, a timeout) changes nothing (`with server`
    would raise it, even after the message was taken)."""
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        server.close()


def _reply(where: str, code: int, reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return f"{where} answered {code} {' '.join(text.split())}"[:500]
