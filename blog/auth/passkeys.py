"""Passkeys and security keys (WebAuthn, with the `webauthn` library): registering one,
and checking one at login, either after the password (as the second factor) or
instead of it (a discoverable passkey that verified its user: something you have and
something you are or know, on one device).

The challenge of each ceremony waits in the signed session; the relying party is
PASSKEY_RP_ID and PASSKEY_ORIGIN, by default the host and origin of SITE_URL (browsers
refuse an IP address as a relying party: use a name, `localhost` when testing).
"""

from __future__ import annotations

import binascii
import json
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Passkey, User

REGISTER = "passkey_register"
LOGIN = "passkey_login"
MAX_CREDENTIAL = 20_000  # characters of a posted credential (JSON) worth parsing


def relying_party() -> tuple[str, str]:
    """(RP ID, origin) of this site."""
    site = urlsplit(current_app.config["SITE_URL"])
    rp_id = current_app.config.get("PASSKEY_RP_ID") or site.hostname or "localhost"
    origin = current_app.config.get("PASSKEY_ORIGIN") or f"{site.scheme}://{site.netloc}"
    return rp_id, origin


def registration_options(user: User, site_name: str) -> str:
    """The JSON options for navigator.credentials.create; remembers the challenge."""
    rp_id, _ = relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=site_name,
        user_id=f"user-{user.id}".encode(),
        user_name=user.username,
        user_display_name=user.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
            for p in db.session.scalars(sa.select(Passkey).where(Passkey.user_id == user.id))
        ],
    )
    session[REGISTER] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def register(user: User, name: str, credential: str) -> Passkey | None:
    """Verify a new credential against the remembered challenge and add it (the caller
    writes and commits); None when it does not verify."""
    challenge = session.pop(REGISTER, None)
    if not isinstance(challenge, str) or not credential or len(credential) > MAX_CREDENTIAL:
        return None
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=json.loads(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (WebAuthnException, binascii.Error, ValueError, TypeError, KeyError):
        return None
    return Passkey(
        user_id=user.id,
        name=name,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )


def login_options(user: User | None) -> str:
    """Options for navigator.credentials.get: the account's passkeys when it is known
    (after the password), else any discoverable passkey of this site."""
    rp_id, _ = relying_party()
    allowed = None
    if user is not None:
        allowed = [
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
            for p in db.session.scalars(sa.select(Passkey).where(Passkey.user_id == user.id))
        ]
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    session[LOGIN] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def check(credential: str, *, need_user_verified: bool) -> Passkey | None:
    """The passkey that signed the remembered challenge (its sign count and last use
    updated; the caller commits), or None. `need_user_verified`: a login without the
    password needs the authenticator to have verified its user (PIN, fingerprint)."""
    challenge = session.pop(LOGIN, None)
    if not isinstance(challenge, str) or not credential or len(credential) > MAX_CREDENTIAL:
        return None
    try:
        data = json.loads(credential)
        credential_id = str(data["rawId"])[:1400]
    except (ValueError, TypeError, KeyError):
        return None
    passkey = db.session.scalar(sa.select(Passkey).where(Passkey.credential_id == credential_id))
    if passkey is None:
        return None
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=data,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=need_user_verified,
        )
    except (WebAuthnException, binascii.Error, ValueError, TypeError, KeyError):
        return None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    return passkey
