"""A real SMTP server for the mail tests: aiosmtpd's `Controller` in a thread on 127.0.0.1, on a free
port, keeping every message it accepts (envelope and the message parsed with `policy.default`).

Variants: plain, STARTTLS (`tls="starttls"`) and TLS from the start (`tls="implicit"`), with a
certificate made here for 127.0.0.1 and localhost (`make_certificate`; the client trusts it
through MailSettings.ca_file); with `users`, AUTH LOGIN/PLAIN that checks the password (over TLS
only, unless `auth_require_tls=False`). For faults: refuse some recipients (550), slow down each
message, hang or refuse at QUIT, stop listening after N messages (`stop_after`: the next
connection is refused, as when the server was killed) and `restart` on the same port.

`silent_server` is a TCP port that accepts connections and then never answers or hangs up at once.
`mail_settings` and `fill_outbox` are the app's side: settings that point at a server, and an
outbox with several messages due.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import ipaddress
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine
from sqlmodel import col, select

from kinderwijkraad.config import MailSettings
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.exports.mail import message_id
from kinderwijkraad.models import MailKind, MailMessage
from kinderwijkraad.services import mail

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Certificate:
    cert_file: Path  # the server's certificate, also the CA file the client trusts (self-signed)
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost (an EC key: made in milliseconds)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kinderwijkraad test mail server")])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = folder / "mail-server.pem", folder / "mail-server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return Certificate(cert_file, key_file)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool  # the session was encrypted (STARTTLS or TLS from the start)
    login: str  # who logged in ("" without AUTH)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class _Handler:
    server: MailServer

    async def handle_RCPT(self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any) -> str:
        if address in self.server.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else ""
        self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message,
                                             tls=session.ssl is not None or self.server.tls == "implicit",
                                             login=login))
        if self.server.stop_after and len(self.server.received) >= self.server.stop_after:
            self.server.stop_after = 0
            listening = self.server.controller.server if self.server.controller else None
            if listening is not None:
                listening.close()  # no new connections from now on; this one ends normally
        return "250 2.0.0 Ok: queued"

    async def handle_QUIT(self, _server: Any, _session: Any, _envelope: Any) -> Any:
        if self.server.on_quit == "hang":
            await asyncio.sleep(30)
        if self.server.on_quit == "refuse":
            return "421 4.3.0 Shutting down"
        return "221 Bye"


@dataclass
class MailServer:
    """One test SMTP server; `start` it (or use `running`), read `received`."""

    tls: Literal["none", "starttls", "implicit"] = "none"
    certificate: Certificate | None = None
    users: dict[str, str] = field(default_factory=dict)
    auth_require_tls: bool = True
    refuse: set[str] = field(default_factory=set)
    delay: float = 0.0  # seconds before each message is accepted
    stop_after: int = 0  # stop listening once this many messages were accepted (0: never)
    on_quit: Literal["bye", "hang", "refuse"] = "bye"
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    auth_attempts: list[tuple[str, str]] = field(default_factory=list)  # (mechanism, login), right or wrong
    controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _authenticate(self, _server: Any, session: Any, _envelope: Any, mechanism: str, data: Any) -> AuthResult:
        login, password = (data.login.decode(), data.password.decode()) if isinstance(data, LoginPassword) else ("", "")
        with self._lock:
            self.auth_attempts.append((mechanism, login))
        if login and self.users.get(login) == password:
            return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)

    def start(self) -> MailServer:
        assert self.controller is None, "already running"
        if self.tls != "none":
            assert self.certificate is not None, "TLS needs a certificate"
        context = self.certificate.server_context() if self.certificate else None
        kwargs: dict[str, Any] = {"server_hostname": "mail.test", "ready_timeout": 10.0}
        if self.tls == "starttls":
            kwargs["tls_context"] = context
        if self.tls == "implicit":
            kwargs["ssl_context"] = context
        if self.users:
            # aiosmtpd counts only STARTTLS as TLS: with TLS from the start it would never offer AUTH.
            kwargs.update(authenticator=self._authenticate,
                          auth_require_tls=self.auth_require_tls and self.tls != "implicit")
        self.controller = Controller(_Handler(self), hostname=HOST, port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def restart(self) -> None:
        """Start again on the same port (after `stop`, or after `stop_after` closed the listener)."""
        self.stop()
        self.start()

    def url(self, user: str = "", password: str = "") -> str:
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        credentials = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
        return f"{scheme}://{credentials}{HOST}:{self.port}"

    def message_ids(self) -> Counter[str]:
        """How often each Message-ID arrived."""
        return Counter(r.message_id for r in self.received)


@contextmanager
def running(server: MailServer) -> Iterator[MailServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def silent_server(mode: Literal["hang", "close"]) -> Iterator[int]:
    """A port that accepts connections and then never says a word ("hang") or hangs up at once
    ("close"); yields the port."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(8)
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            if mode == "close":
                connection.close()
            else:
                accepted.append(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        done.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


# --- the app's side: settings that point at a server, and an outbox with several messages ---------

MAIL_FROM = "Kinderwijkraad <kwr@kinderwijkraad.example>"
MAIL_DOMAIN = "kinderwijkraad.example"
PUBLIC_URL = "https://kwr.example.nl"
LINK_KEY = "test-key-" + "x" * 32
CORPORATIE_ADDRESS = "a.yilmaz@thuis.example"  # typed in: the corporatie's contact has no address


def mail_settings(folder: Path, url: str | None, *, ca_file: Path | None = None) -> MailSettings:
    return MailSettings(smtp_url=url, mail_from=MAIL_FROM, outbox_dir=folder / "outbox", public_url=PUBLIC_URL,
                        link_key=LINK_KEY, photos_dir=folder / "photos", ca_file=ca_file)


def expected_id(key: str) -> str:
    """The Message-ID the message with this outbox key must carry."""
    return message_id(key, MAIL_DOMAIN)


def fill_outbox(engine: Engine, world: SimpleNamespace, settings: MailSettings, *, reminders_each: int) -> list[str]:
    """Both recipients of the world's proposal sent by e-mail (two dossiers with their PDF), and
    `reminders_each` reminders queued for each with the dossier's link (no PDF: cheap to make).
    Returns the keys in the order delivery takes them."""
    dossiers = [mail.send_proposal(engine, actor=world.facilitator, recipient_id=world.recipients["gemeente"],
                                   mail=settings),
                mail.send_proposal(engine, actor=world.facilitator, recipient_id=world.recipients["corporatie"],
                                   mail=settings, to_address=CORPORATIE_ADDRESS)]
    with write_session(engine) as session:
        for dossier_id in dossiers:
            dossier = session.get(MailMessage, dossier_id)
            assert dossier is not None
            for number in range(1, reminders_each + 1):
                mail._queue(session, key=f"reminder/{dossier.recipient_id}/2000-01-01/{number}",
                            kind=MailKind.REMINDER, to_address=dossier.to_address, to_name=dossier.to_name,
                            recipient_id=dossier.recipient_id, cycle_id=dossier.cycle_id,
                            reply_link_id=dossier.reply_link_id)
    return [m.key for m in outbox(engine)]


def outbox(engine: Engine) -> list[MailMessage]:
    """Every message in the outbox, in the order delivery takes them."""
    with read_session(engine) as session:
        return list(session.exec(select(MailMessage).order_by(col(MailMessage.next_try_at),
                                                              col(MailMessage.id))).all())
