"""Passkeys on the server side (issue 27): what a forged or foreign answer gets, naming
and removing, and the rule that a required account keeps one factor. The ceremony with
a real (virtual) authenticator: tests/e2e/test_signin_journeys.py."""

import json
import os

import pyotp
import sqlalchemy as sa
from webauthn.helpers import bytes_to_base64url

from blog.extensions import db
from blog.models import AuditLog, Passkey, ThrottleEvent, User
from tests import factories


def add_passkey(user: User, name: str = "Work laptop") -> Passkey:
    passkey = Passkey(user_id=user.id, name=name, credential_id=bytes_to_base64url(os.urandom(16)),
                      public_key=b"not a key", sign_count=0)  # fmt: skip
    db.session.add(passkey)
    db.session.commit()
    return passkey


def test_the_security_page_lists_passkeys_by_name(client, auth, author):
    auth.login(author)  # before the passkeys, which would ask for one at login
    add_passkey(author, "Work laptop")
    add_passkey(author, "Yubikey <blue>")

    page = client.get("/auth/security").get_data(as_text=True)

    assert "Work laptop" in page and "Yubikey &lt;blue&gt;" in page
    assert 'id="passkey-add"' in page
    assert '<script src="/static/passkeys.js?v=' in page


def test_registration_options_name_the_account_and_exclude_its_keys(client, auth, author):
    auth.login(author)
    add_passkey(author)

    options = client.post("/auth/security/passkeys/options").get_json()

    assert options["user"]["name"] == "arthur"
    assert options["rp"]["id"] == "newsroom.test"
    assert [c["id"] for c in options["excludeCredentials"]]


def test_a_forged_registration_adds_nothing(client, auth, author):
    auth.login(author)
    client.post("/auth/security/passkeys/options")

    response = client.post(
        "/auth/security/passkeys", data={"name": "Fake", "credential": json.dumps({"id": "x"})}
    )

    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Passkey.id))) == 0


def test_a_forged_passkey_login_is_refused_and_counted(client, author):
    passkey = add_passkey(author)
    client.post("/auth/passkeys/login/options")

    response = client.post(
        "/auth/passkeys/login",
        data={"credential": json.dumps({"id": passkey.credential_id,
                                        "rawId": passkey.credential_id, "response": {}})},
    )  # fmt: skip

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/auth/account").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ThrottleEvent.id))) == 2


def test_a_passkey_counts_as_a_second_factor(client, author):
    add_passkey(author)

    response = client.post(
        "/auth/login", data={"login": author.username, "password": factories.PASSWORD}
    )

    assert response.headers["Location"] == "/auth/login/code"
    assert 'id="passkey-login"' in client.get("/auth/login/code").get_data(as_text=True)


def test_removing_a_passkey_is_audited(client, auth, author):
    auth.login(author)
    passkey_id = add_passkey(author).id

    assert client.post(f"/auth/security/passkeys/{passkey_id}/remove").status_code == 303

    assert db.session.get(Passkey, passkey_id) is None
    assert db.session.scalar(
        sa.select(AuditLog.action).where(AuditLog.action == "user.passkey_removed")
    )


def test_nobody_removes_someone_elses_passkey(client, auth, author, reader):
    auth.login(reader)
    theirs = add_passkey(author)

    assert client.post(f"/auth/security/passkeys/{theirs.id}/remove").status_code == 404
    assert db.session.get(Passkey, theirs.id) is not None


def test_the_last_factor_of_a_required_role_stays(client, editor):
    factories.set_second_factor_policy("editor")
    only = add_passkey(editor)
    user = db.session.get(User, editor.id)
    user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    db.session.commit()

    client.post("/auth/login", data={"login": user.username, "password": factories.PASSWORD})
    client.post("/auth/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    client.post("/auth/security/totp/remove")  # allowed: the passkey remains
    assert db.session.get(User, editor.id).totp_secret == ""

    client.post(f"/auth/security/passkeys/{only.id}/remove")

    assert db.session.get(Passkey, only.id) is not None
