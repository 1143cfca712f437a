"""Second factors of an account: authenticator-app codes (TOTP, RFC 6238), recovery
codes, and the policy that says which roles must have one.

- A TOTP code is checked against the steps just before, at and after now (30 s each,
  so a phone clock off by up to 30 s still works) and accepted only for a step later
  than the last accepted one, claimed with one conditional UPDATE: the same code
  twice, even in two workers at once, gets in once.
- Recovery codes: ten, made at enrolment and on request, shown once, kept as SHA-256
  digests (they are random, 50 bits each: no slow hash needed), each spent once by a
  conditional UPDATE.
- The policy is the site setting `second_factor_from`: the lowest role that must have
  a second factor ("editor" by default: editors and admins; "nobody" turns it off).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa

from blog.core.cache.site import get_settings
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Account, Passkey, RecoveryCode, Role, User

STEP = 30
# Steps either side of now that are accepted (clock drift of the phone).
DRIFT_STEPS = 1
RECOVERY_CODES = 10
# Unambiguous lower-case letters and digits (no 0/o, 1/l/i).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# What a code may hold once spaces and dashes are gone (ASCII only: other scripts'
# digits are not the app's digits).
_TYPED = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def required_role() -> Role | None:
    """The lowest role that must have a second factor, None when nobody must."""
    label = get_settings().get("second_factor_from", "editor")
    return Role.from_label(label) if label in ("admin", "editor", "author") else None


def required_for(user: Account) -> bool:
    if user.role < Role.AUTHOR:
        return False  # readers never need one, whatever the setting: no settings read
    role = required_role()
    return role is not None and user.role >= role


def has_factor(user: Account) -> bool:
    """Whether the account has a TOTP app or a passkey (recovery codes alone do not
    count: they are the way back in, not a factor of their own)."""
    if user.totp_secret:
        return True
    passkey = sa.select(Passkey.id).where(Passkey.user_id == user.id).limit(1)
    return db.session.scalar(passkey) is not None


def has_factor_besides(user: User, removing: str) -> bool:
    """Whether the account keeps a factor once `removing` ("totp", or a passkey's id
    as "passkey:<id>") is gone."""
    others = sa.select(Passkey.id).where(Passkey.user_id == user.id)
    if removing.startswith("passkey:"):
        if user.totp_secret:
            return True
        others = others.where(Passkey.id != int(removing.partition(":")[2]))
    return db.session.scalar(others.limit(1)) is not None


def passkeys(user: User) -> list[Passkey]:
    return list(
        db.session.scalars(
            sa.select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)
        )
    )


# Authenticator apps -----------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: Account, site: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=site)


def qr_svg(uri: str) -> bytes:
    """The otpauth:// URI as a QR code, an SVG document made here (no third party)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False,
                                    title="QR code for your authenticator app")  # fmt: skip
    return out.getvalue()


def clean_code(raw: str | None) -> str:
    """What was typed or pasted, without spaces, dashes and case: '123 456' -> '123456'."""
    return "".join(ch for ch in (raw or "").casefold() if ch in _TYPED)[:40]


def matching_step(secret: str, code: str, after: int, now: float | None = None) -> int | None:
    """The step (now +- DRIFT_STEPS) whose code is `code` and which is later than
    `after`, or None."""
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def use_totp(user: User, code: str) -> bool:
    """Accept `code` for `user` once: records its step (inside the caller's write;
    the caller commits). False when wrong, outside the window, or already used."""
    step = matching_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        return False
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, User.totp_last_step < step)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False  # another request took this step first
    db.session.expire(user, ["totp_last_step"])
    return True


# Recovery codes ---------------------------------------------------------------------


def _digest(user_id: int, code: str) -> str:
    return hashlib.sha256(f"recovery:{user_id}:{code}".encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with ten new ones and return them, shown
    as 'abcde-fghjk' (inside the caller's write; the caller commits)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        db.session.add(RecoveryCode(user_id=user.id, digest=_digest(user.id, raw)))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code (inside the caller's write; the caller commits)."""
    if len(code) != 10:
        return False
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.digest == _digest(user.id, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1


def remove_all(user: User) -> None:
    """Remove every second factor and recovery code (an admin's reset; the caller commits)."""
    user.totp_secret = ""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(Passkey).where(Passkey.user_id == user.id))
