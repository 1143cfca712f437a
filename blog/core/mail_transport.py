"""Talking to the mail server: one reused SMTP session, what its refusals mean, the outbox.

A refusal is only a bounce when it names the recipient: a 5xx to RCPT TO. A 5xx to
DATA comes after the server accepted the recipient, so it is about the message or the
server (an unverified sender, a full quota of ours, a broken relay) and says nothing
about the address; the same holds when the server gives the very same 5xx to every
recipient in a row. Both raise `ServerFailure`, which callers must not count as a bounce.
"""

import logging
import re
import secrets
import smtplib
import ssl
import threading
import time
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from blog.core.mail_dkim import sign
from blog.core.types import utcnow

logger = logging.getLogger("blog.mail")
SMTP_TIMEOUT = 15
# This many different recipients refused in a row with the same reply (their address
# taken out) is the server refusing everyone, not that many bad addresses.
SAME_REFUSALS = 3
# Enhanced status codes 5.1.x (bad address) and 5.2.x (mailbox) always name the
# recipient (RFC 3463), so they never count as the server refusing everyone.
RECIPIENT_STATUS = re.compile(r"5\d\d[ -]5\.[12]\.\d{1,3}\b")


class TemporaryFailure(Exception):
    """The server or the network said "later" (4xx, a time-out, a dropped connection)."""


class PermanentFailure(Exception):
    """The server refused this recipient for good (5xx at RCPT TO): a bounce."""


class ServerFailure(Exception):
    """A 5xx that is not about the recipient (at DATA, or the same for everyone).

    `refused` lists the recipients of this connection's streak of identical refusals
    that were already reported as PermanentFailure, so a caller can take those back.
    """

    def __init__(self, reason: str, refused: tuple[str, ...] = ()):
        super().__init__(reason)
        self.refused = refused


class Connection:
    """One SMTP session reused for many messages (or the outbox when MAIL_SERVER is empty).

    `send` raises TemporaryFailure, PermanentFailure or ServerFailure; after a
    TemporaryFailure the connection is closed and the next `send` opens a new one.
    MAIL_RATE_PER_SECOND paces every connection of the process together.
    """

    _pace_lock = threading.Lock()
    _next_slot = 0.0

    def __init__(self):
        self.config = current_app.config
        self.instance_path = current_app.instance_path
        self.smtp: smtplib.SMTP | None = None
        self.streak: list[tuple[str, str]] = []  # (reply without the address, recipient)

    def _open(self) -> smtplib.SMTP:
        return smtp_session()

    def _pace(self) -> None:
        rate = float(self.config.get("MAIL_RATE_PER_SECOND") or 0)
        if rate <= 0:
            return
        with Connection._pace_lock:
            now = time.monotonic()
            slot = max(Connection._next_slot, now)
            Connection._next_slot = slot + 1.0 / rate
        if slot > now:
            time.sleep(slot - now)

    def send(self, message: EmailMessage) -> None:
        if not self.config.get("MAIL_SERVER"):
            _write_to_outbox(Path(self.instance_path) / "outbox", message)
            return
        self._pace()
        # CRLF line ends: smtplib dot-stuffs bytes without fixing them, and a server
        # only un-stuffs after CRLF (a wrapped line starting with "." would change).
        data = sign(message.as_bytes(policy=message.policy.clone(linesep="\r\n")), self.config)
        to = message["To"]
        try:
            if self.smtp is None:
                self.smtp = self._open()
            self.smtp.sendmail(self.config["MAIL_SENDER"], [to], data)
        except smtplib.SMTPRecipientsRefused as error:
            self._after_refusal()
            code, text = next(iter(error.recipients.values()))
            raise self._refused(to, code, _text(text)) from error
        except smtplib.SMTPDataError as error:
            self._after_refusal()
            reason = f"{error.smtp_code} {_text(error.smtp_error)}"[:500]
            if 500 <= error.smtp_code < 600:
                raise ServerFailure(f"at DATA: {reason}") from error
            raise TemporaryFailure(reason) from error
        except smtplib.SMTPResponseException as error:
            # Sender refused, authentication, HELO: our configuration, not a bounce.
            self.close()
            raise TemporaryFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
        self.streak.clear()
        logger.info("Mail sent through %s: %s", self.config["MAIL_SERVER"], message["Message-ID"])

    def _refused(self, to: str, code: int, text: str) -> Exception:
        reason = f"{code} {text}"[:500]
        if not 500 <= code < 600:
            return TemporaryFailure(reason)
        if RECIPIENT_STATUS.match(reason):
            self.streak.clear()  # "5.1.1 user unknown": about this address, whatever follows
            return PermanentFailure(reason)
        reply = re.sub(re.escape(to), "<recipient>", reason, flags=re.IGNORECASE)
        if self.streak and self.streak[-1][0] != reply:
            self.streak.clear()
        self.streak.append((reply, to.lower()))
        if len({rcpt for _, rcpt in self.streak}) >= SAME_REFUSALS:
            earlier = tuple(rcpt for _, rcpt in self.streak[:-1])
            return ServerFailure(f"the same refusal for every recipient: {reason}", earlier)
        return PermanentFailure(reason)

    def _after_refusal(self) -> None:
        # A refused RCPT or DATA leaves the session usable after RSET.
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def _text(text: bytes | str) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def smtp_session() -> smtplib.SMTP:
    """An SMTP connection to MAIL_SERVER, after STARTTLS and login when configured.

    Use it as a context manager (it quits at the end); raises OSError or
    smtplib.SMTPException when the server cannot be reached or refuses the login.
    `blog doctor` opens one and sends nothing.
    """
    config = current_app.config
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    context = ssl.create_default_context()
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _write_to_outbox(folder: Path, message: EmailMessage) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_timestamp()}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    logger.info("No MAIL_SERVER set; mail written to %s (%s)", path, message["Subject"])


def _timestamp() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S%f")
