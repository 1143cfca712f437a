"""Outgoing mail: SMTP when MAIL_SERVER is set, else .eml files in instance/outbox/.

Requests never talk to the mail server: they call `queue_mail`, which adds a "mail"
job (blog/core/jobs.py), and the worker sends it through a `Connection` that it reuses for
a whole batch. Links in bodies must come from `blog.core.templating.absolute_url`
(SITE_URL), never from the Host header.
"""

import hashlib
import logging
import secrets
import smtplib
import ssl
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from blog.core import jobs
from blog.core.types import utcnow

logger = logging.getLogger("blog.mail")
SMTP_TIMEOUT = 15


class TemporaryFailure(Exception):
    """The server or the network said "later" (4xx, a time-out, a dropped connection)."""


class PermanentFailure(Exception):
    """The server refused this recipient or message for good (5xx): a bounce."""


def _check_header(name: str, value: str) -> str:
    if any(c in value for c in "\r\n\x00"):
        raise ValueError(f"line break in the {name} header")
    return value


def sender_domain() -> str:
    return current_app.config["MAIL_SENDER"].rpartition("@")[2].strip("> ") or "localhost"


def build_message(
    to: str,
    subject: str,
    body: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A plain-text (and, with `html`, an HTML alternative) message from MAIL_SENDER.

    Raises ValueError when any header value holds CR, LF or NUL (header injection).
    """
    config = current_app.config
    message = EmailMessage()
    message["From"] = _check_header("From", config["MAIL_SENDER"])
    message["To"] = _check_header("To", to)
    message["Subject"] = _check_header("Subject", subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain=sender_domain())
    for name, value in (headers or {}).items():
        message[_check_header("header name", name)] = _check_header(name, value)
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def job_message_id(run: jobs.Run) -> str:
    """A Message-ID that names the job, the same on every attempt of it."""
    digest = hashlib.sha256(run.key.encode()).hexdigest()[:16]
    return f"<job-{run.job_id}.{digest}@{sender_domain()}>"


class Connection:
    """One SMTP session reused for many messages (or the outbox when MAIL_SERVER is empty).

    `send` raises TemporaryFailure or PermanentFailure; after a TemporaryFailure the
    connection is closed and the next `send` opens a new one. MAIL_RATE_PER_SECOND
    paces every connection of the process together.
    """

    _pace_lock = threading.Lock()
    _next_slot = 0.0

    def __init__(self):
        self.config = current_app.config
        self.instance_path = current_app.instance_path
        self.smtp: smtplib.SMTP | None = None

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
        try:
            if self.smtp is None:
                self.smtp = self._open()
            self.smtp.sendmail(self.config["MAIL_SENDER"], [message["To"]], data)
        except smtplib.SMTPRecipientsRefused as error:
            self._after_refusal()
            code, text = next(iter(error.recipients.values()))
            raise _classify(code, text) from error
        except (smtplib.SMTPDataError, smtplib.SMTPResponseException) as error:
            self._after_refusal()
            if isinstance(error, smtplib.SMTPDataError):
                raise _classify(error.smtp_code, error.smtp_error) from error
            # Sender refused, authentication, HELO: our configuration, not a bounce.
            self.close()
            raise TemporaryFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
        logger.info("Mail sent through %s: %s", self.config["MAIL_SERVER"], message["Message-ID"])

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


def _classify(code: int, text: bytes | str) -> Exception:
    detail = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    reason = f"{code} {detail}"[:500]
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


def sign(data: bytes, config) -> bytes:
    """`data` with a DKIM-Signature header when MAIL_DKIM_KEY_FILE is set, else as is."""
    key_file = config.get("MAIL_DKIM_KEY_FILE")
    if not key_file:
        return data
    import dkim  # dkimpy, only needed when DKIM is configured

    domain = config.get("MAIL_DKIM_DOMAIN") or config["MAIL_SENDER"].rpartition("@")[2]
    signature = dkim.sign(
        data,
        selector=config["MAIL_DKIM_SELECTOR"].encode(),
        domain=domain.strip("> ").encode(),
        privkey=Path(key_file).read_bytes(),
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id",
                         b"list-id", b"list-unsubscribe", b"list-unsubscribe-post"],
    )  # fmt: skip
    return signature + data


def queue_mail(
    to: str,
    subject: str,
    body: str,
    key: str,
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    batch: str = "",
) -> bool:
    """Add a "mail" job (the caller commits, in its write transaction); False if `key` existed.

    Raises ValueError at once for a header with a line break, so a bad address never
    reaches the queue.
    """
    build_message(to, subject, body, html, headers)
    payload = {"to": to, "subject": subject, "body": body, "html": html, "headers": headers or {}}
    return jobs.enqueue("mail", key, payload, batch=batch)


# The account mails, keyed "<kind>:<user id>:<digest>" by `account_mail_key`: a new
# address's confirmation, the old address's notice and the notice that someone tried to
# register with the account's address (blog/confirm/confirmation.py), password resets
# (blog/auth/views.py) and unlock links after failed logins (blog/auth/devices.py). The
# notice goes to an address the account no longer has, so only the key ties it to the
# person when they are erased (blog/privacy/personal_data.forget_recipient).
ACCOUNT_MAIL_KEYS = ("confirm", "email-changed", "register-taken", "reset", "unlock",
                     "new-device", "recovery-used", "2fa-reset")  # fmt: skip


def account_mail_key(kind: str, user_id: int, digest: str) -> str:
    """The job key of an account mail; `kind` must be one of ACCOUNT_MAIL_KEYS."""
    if kind not in ACCOUNT_MAIL_KEYS:
        raise ValueError(f"account mail kinds are {ACCOUNT_MAIL_KEYS}, not {kind!r}")
    return f"{kind}:{user_id}:{digest[:32]}"


@jobs.handler("mail")
def send_queued(payload: dict, run: jobs.Run) -> None:
    """Send one queued message; 4xx and outages retry, 5xx fails the job."""
    try:
        message = build_message(
            payload["to"], payload["subject"], payload["body"], payload.get("html"),
            payload.get("headers"), message_id=job_message_id(run),
        )  # fmt: skip
    except (KeyError, ValueError) as error:
        raise jobs.Fail(f"unusable mail job: {error}") from error
    connection = run.resource("smtp", Connection)
    try:
        connection.send(message)
    except TemporaryFailure as error:
        run.discard("smtp")
        raise jobs.Retry(str(error)) from error
    except PermanentFailure as error:
        raise jobs.Fail(f"bounced: {error}") from error
    except OSError as error:  # the outbox folder
        raise jobs.Retry(f"outbox: {error}") from error


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
