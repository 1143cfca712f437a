"""Outgoing mail: SMTP when MAIL_SERVER is set, else .eml files in instance/outbox/."""

import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from blog.types import utcnow

logger = logging.getLogger("blog.mail")
SMTP_TIMEOUT = 15


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from MAIL_SENDER; raises ValueError on CR/LF in a header."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    sender_domain = config["MAIL_SENDER"].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=sender_domain)
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; True when it was handed over, False on failure.

    With MAIL_SERVER set it goes through SMTP (MAIL_PORT; MAIL_USE_SSL for implicit
    TLS, MAIL_USE_TLS for STARTTLS; MAIL_USERNAME/MAIL_PASSWORD to log in). Without
    it the message is written to <instance>/outbox/<time>-<random>.eml and its path
    logged, so a fresh install works with no mail setup. Delivery problems are
    logged and reported as False, never raised: a request that sends mail must not
    fail (or answer differently) because the mail server is down. Links in `body`
    should come from `blog.templating.absolute_url` (SITE_URL), never the Host header.
    """
    config = current_app.config
    try:
        message = build_message(to, subject, body)
    except ValueError:
        logger.exception("Refusing to build a message with an invalid header")
        return False
    if not config.get("MAIL_SERVER"):
        return _write_to_outbox(message)
    try:
        _send_smtp(message)
    except (OSError, smtplib.SMTPException):
        logger.exception("Sending mail through %s failed", config["MAIL_SERVER"])
        return False
    logger.info("Mail sent through %s: %s", config["MAIL_SERVER"], message["Message-ID"])
    return True


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


def _send_smtp(message: EmailMessage) -> None:
    with smtp_session() as smtp:
        smtp.send_message(message)


def outbox_path() -> Path:
    return Path(current_app.instance_path) / "outbox"


def _write_to_outbox(message: EmailMessage) -> bool:
    folder = outbox_path()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{_timestamp()}-{secrets.token_hex(4)}.eml"
        path = folder / name
        path.write_bytes(bytes(message))
    except OSError:
        logger.exception("Writing mail to the outbox failed")
        return False
    logger.info("No MAIL_SERVER set; mail written to %s (%s)", path, message["Subject"])
    return True


def _timestamp() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S%f")
