"""Outgoing mail: messages, the "mail" job and the account mails' keys.

Requests never talk to the mail server: they call `queue_mail`, which adds a "mail"
job (blog/core/jobs.py), and the worker sends it through a `Connection`
(blog/core/mail_transport.py) that it reuses for a whole batch, signed when DKIM is
configured (blog/core/mail_dkim.py). Links in bodies must come from
`blog.core.templating.absolute_url` (SITE_URL), never from the Host header.
"""

import hashlib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from blog.core import jobs
from blog.core.mail_dkim import sign
from blog.core.mail_transport import (
    Connection,
    PermanentFailure,
    ServerFailure,
    TemporaryFailure,
    smtp_session,
)

__all__ = [
    "ACCOUNT_MAIL_KEYS",
    "Connection",
    "PermanentFailure",
    "ServerFailure",
    "TemporaryFailure",
    "account_mail_key",
    "build_message",
    "job_message_id",
    "queue_mail",
    "send_queued",
    "sender_domain",
    "sign",
    "smtp_session",
]

# A mail the server refused as a whole is tried again this much later (then backs off).
SERVER_FAILURE_RETRY_SECONDS = 600


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
    """Send one queued message; 4xx, outages and server-wide refusals retry, a bounce fails."""
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
    except ServerFailure as error:
        raise jobs.Retry(f"server: {error}", SERVER_FAILURE_RETRY_SECONDS) from error
    except PermanentFailure as error:
        raise jobs.Fail(f"bounced: {error}") from error
    except OSError as error:  # the outbox folder
        raise jobs.Retry(f"outbox: {error}") from error
