"""The security log: one line per sign-in, sign-out, password or account change.

Lines go to the standard logger "blog.security" (route it to a file or syslog in the
deployment's logging config). Never pass passwords, tokens, cookies or hashes.
"""

import logging
import re

from flask import has_request_context, request
from flask_login import current_user

from blog.core.types import utcnow

logger = logging.getLogger("blog.security")

# CR, LF and every other control character: a user-typed value must never be able to
# start a forged line in the log.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
MAX_VALUE = 200


def clean(value: object) -> str:
    """`value` as one safe token: control characters replaced, quoted if it has spaces."""
    text = _CONTROL.sub("?", str(value))[:MAX_VALUE]
    if text == "" or any(c in text for c in ' "='):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def security_log(event: str, **fields: object) -> None:
    """Log one security event as `time=... event=... user=... ip=... key=value ...`.

    `user` defaults to the logged-in user's username (or "-"), `ip` to the request's
    remote address (after ProxyFix when PROXY_COUNT is set). Values are cleaned of
    CR/LF and other control characters, so user-typed text (a login name) is safe.
    Callers must not pass secrets: no passwords, reset tokens, cookies or hashes.
    """
    parts = {"time": utcnow().isoformat(timespec="seconds"), "event": event}
    if "user" not in fields:
        authenticated = has_request_context() and current_user.is_authenticated
        parts["user"] = current_user.username if authenticated else "-"
    if "ip" not in fields:
        parts["ip"] = (request.remote_addr if has_request_context() else None) or "-"
    parts.update({k: v for k, v in fields.items()})
    logger.info(" ".join(f"{k}={clean(v)}" for k, v in parts.items()))
