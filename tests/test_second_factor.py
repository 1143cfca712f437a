"""Second factors (issue 27): the TOTP window and replay, recovery codes used once, the
policy by role (no skipping enrolment by URL), enrolment, and the admin's reset."""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from blog.auth import factors
from blog.extensions import db
from blog.models import AuditLog, Job, RecoveryCode, Role, ThrottleEvent, User
from tests import factories

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def fresh(user: User) -> User:
    return db.session.get(User, user.id)


def enrol(user: User, secret: str = SECRET) -> list[str]:
    """Give `user` an authenticator app and recovery codes, as enrolment would."""
    user = fresh(user)
    user.totp_secret = secret
    codes = factors.new_recovery_codes(user)
    db.session.commit()
    return codes


def code_now(secret: str = SECRET, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + steps * factors.STEP)


def password_step(client, user: User, **extra):
    return client.post(
        "/auth/login", data={"login": user.username, "password": factories.PASSWORD, **extra}
    )


def mails(address: str, subject_start: str) -> list[dict]:
    jobs = db.session.scalars(sa.select(Job).where(Job.kind == "mail").order_by(Job.id))
    return [
        j.payload
        for j in jobs
        if j.payload["to"] == address and j.payload["subject"].startswith(subject_start)
    ]


def audit_actions(user: User) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditLog.action)
            .where(AuditLog.object_type == "user", AuditLog.object_id == user.id)
            .order_by(AuditLog.id)
        )
    )


# ---------------------------------------------------------------- the TOTP window


@pytest.mark.parametrize(
    ("steps", "accepted"),
    [(-2, False), (-1, True), (0, True), (1, True), (2, False)],
)
def test_a_code_is_accepted_one_step_either_side_of_now(steps, accepted):
    now = 1_800_000_015.0
    code = pyotp.TOTP(SECRET).at(now + steps * factors.STEP)

    step = factors.matching_step(SECRET, code, after=0, now=now)

    assert (step is not None) is accepted
    if accepted:
        assert step == int(now // factors.STEP) + steps


def test_a_step_already_used_is_refused_even_inside_the_window():
    now = 1_800_000_015.0
    current = int(now // factors.STEP)
    code = pyotp.TOTP(SECRET).at(now)

    assert factors.matching_step(SECRET, code, after=current, now=now) is None
    assert factors.matching_step(SECRET, code, after=current - 1, now=now) == current


@pytest.mark.parametrize("typed", ["123 456", "12345", "1234567", "abcdef", "", "١٢٣٤٥٦"])
def test_malformed_codes_never_match(typed):
    assert factors.matching_step(SECRET, factors.clean_code(typed), after=0) is None


def test_a_pasted_code_with_spaces_or_dashes_is_read():
    code = code_now()

    assert factors.clean_code(f" {code[:3]} {code[3:]} ") == code
    assert factors.clean_code("ABCDE-FGHJK") == "abcdefghjk"


# ---------------------------------------------------------------- logging in


def test_the_password_alone_does_not_log_in_an_account_with_an_app(client, editor):
    enrol(editor)

    response = password_step(client, editor)

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login/code"
    assert client.get("/auth/account").status_code == 302  # not logged in yet
    page = client.get("/auth/login/code").get_data(as_text=True)
    assert "Your second factor" in page
    assert 'autocomplete="one-time-code"' in page
    assert "onpaste" not in page  # pasting works (WCAG 2.2, 3.3.8)


def test_the_right_code_logs_in_and_goes_where_the_login_was_going(client, editor):
    enrol(editor)
    client.post(
        "/auth/login?next=/admin/",
        data={"login": editor.username, "password": factories.PASSWORD},
    )

    response = client.post("/auth/login/code", data={"code": code_now()})

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    assert client.get("/auth/account").status_code == 200
    assert fresh(editor).totp_last_step == int(time.time() // factors.STEP)


def test_a_code_is_accepted_once(app, client, editor):
    enrol(editor)
    code = code_now()
    password_step(client, editor)
    assert client.post("/auth/login/code", data={"code": code}).status_code == 303

    other = app.test_client()
    password_step(other, editor)
    replay = other.post("/auth/login/code", data={"code": code})

    assert replay.status_code == 422
    assert "already used" in replay.get_data(as_text=True)
    assert other.get("/auth/account").status_code == 302


def test_a_wrong_code_keeps_the_form_and_is_counted(client, editor):
    enrol(editor)
    password_step(client, editor)

    response = client.post("/auth/login/code", data={"code": "000000"})

    assert response.status_code == 422
    assert 'value="000000"' in response.get_data(as_text=True)
    kinds = db.session.scalars(sa.select(ThrottleEvent.kind)).all()
    assert kinds.count("second-factor") == 2  # the account and the IP


def test_the_code_page_forgets_a_password_step_older_than_five_minutes(client, editor):
    enrol(editor)
    password_step(client, editor)
    with client.session_transaction() as sess:
        step = sess["second_step"]
        step["at"] -= 301
        sess["second_step"] = step

    response = client.post("/auth/login/code", data={"code": code_now()})

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/auth/account").status_code == 302


def test_a_password_reset_between_the_steps_voids_the_first(client, editor):
    enrol(editor)
    password_step(client, editor)
    user = fresh(editor)
    user.end_all_sessions()  # what a reset or a deactivation does
    db.session.commit()

    client.post("/auth/login/code", data={"code": code_now()})

    assert client.get("/auth/account").status_code == 302


# ---------------------------------------------------------------- recovery codes


def test_recovery_codes_are_stored_hashed(editor):
    codes = enrol(editor)

    digests = db.session.scalars(sa.select(RecoveryCode.digest)).all()

    assert len(codes) == len(digests) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    assert not {c.replace("-", "") for c in codes} & set(digests)


def test_a_recovery_code_logs_in_once_and_is_audited_and_mailed(app, client, editor):
    codes = enrol(editor)
    password_step(client, editor)

    response = client.post("/auth/login/code", data={"code": codes[3].upper()})

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/security"
    page = client.get("/auth/security").get_data(as_text=True)
    assert "9 unused recovery codes left" in page
    assert "user.recovery_code_used" in audit_actions(editor)
    (mail,) = mails(editor.email, "A recovery code was used")
    assert "9 unused codes left" in mail["body"]

    other = app.test_client()
    password_step(other, editor)
    again = other.post("/auth/login/code", data={"code": codes[3]})
    assert again.status_code == 422
    assert other.get("/auth/account").status_code == 302


def test_new_recovery_codes_void_the_old_ones(client, editor):
    old = enrol(editor)
    password_step(client, editor)
    client.post("/auth/login/code", data={"code": code_now()})

    response = client.post("/auth/security/recovery")

    assert response.status_code == 200
    new = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    user = fresh(editor)
    assert not factors.use_recovery_code(user, factors.clean_code(old[0]))
    assert factors.use_recovery_code(user, factors.clean_code(new[0]))
    assert "user.recovery_codes_renewed" in audit_actions(editor)


# ---------------------------------------------------------------- enrolment


def enrol_through_the_page(client) -> tuple[str, list[str]]:
    page = client.get("/auth/security/totp").get_data(as_text=True)
    secret = re.search(r'data-secret="([A-Z2-7]{32})"', page).group(1)
    qr = client.get("/auth/security/totp/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.data.startswith(b"<svg") and b"<script" not in qr.data
    response = client.post("/auth/security/totp", data={"code": code_now(secret)})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.get_data(as_text=True))
    return secret, codes


def test_enrolment_shows_a_qr_code_and_the_key_and_needs_a_first_code(client, auth, author):
    auth.login(author)
    page = client.get("/auth/security/totp").get_data(as_text=True)
    secret = re.search(r'data-secret="([A-Z2-7]{32})"', page).group(1)
    assert '<img src="/auth/security/totp/qr.svg"' in page
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page

    wrong = client.post("/auth/security/totp", data={"code": "999 999"})

    assert wrong.status_code == 422
    assert "does not match" in wrong.get_data(as_text=True)
    assert 'value="999 999"' in wrong.get_data(as_text=True)
    assert fresh(author).totp_secret == ""

    right = client.post("/auth/security/totp", data={"code": code_now(secret)})

    assert right.status_code == 200
    assert "only time they are shown" in right.get_data(as_text=True)
    assert fresh(author).totp_secret == secret
    assert "user.totp_enrolled" in audit_actions(author)
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 10


def test_the_enrolment_code_cannot_log_in_again(app, client, auth, author):
    auth.login(author)
    secret, _ = enrol_through_the_page(client)
    code = code_now(secret)  # the very code that confirmed the enrolment (same step)

    other = app.test_client()
    password_step(other, author)

    assert other.post("/auth/login/code", data={"code": code}).status_code == 422


# ---------------------------------------------------------------- the policy by role


@pytest.fixture
def policy_on(app):
    factories.set_second_factor_policy("editor")


def test_the_default_policy_is_editors_and_admins():
    from blog.core.settings import DEFAULTS

    assert DEFAULTS["second_factor_from"] == "editor"


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/articles", "/auth/account", "/", "/admin/settings", "/auth/account/data"],
)
def test_an_editor_without_a_factor_can_only_enrol(client, auth, editor, policy_on, path):
    auth.login(editor)

    response = client.get(path)

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/security"
    assert client.get("/auth/security").status_code == 200
    assert client.get("/auth/security/totp").status_code == 200


def test_an_editor_who_must_enrol_confirms_it_is_them_first_when_asked(
    client, auth, editor, policy_on
):
    """Enrolment is a sensitive action; the confirm page is part of the way to it."""
    auth.login(editor)
    with client.session_transaction() as sess:
        sess["checked_at"] = int(time.time()) - 3600

    asked = client.get("/auth/security/totp")
    page = client.get(asked.headers["Location"])
    confirmed = client.post(asked.headers["Location"], data={"password": factories.PASSWORD})

    assert asked.headers["Location"].startswith("/auth/sudo")
    assert page.status_code == 200
    assert confirmed.headers["Location"] == "/auth/security/totp"
    assert client.get("/auth/security/totp").status_code == 200


def test_an_editor_who_must_enrol_cannot_post_anything_else(client, auth, editor, policy_on):
    auth.login(editor)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))

    response = client.post("/admin/categories", data={"name": "Sneaked in"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/security"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == before


def test_after_enrolling_the_editor_is_free(client, auth, editor, policy_on):
    auth.login(editor)
    enrol_through_the_page(client)

    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("policy", "role", "forced"),
    [
        ("editor", Role.ADMIN, True),
        ("editor", Role.EDITOR, True),
        ("editor", Role.AUTHOR, False),
        ("editor", Role.READER, False),
        ("admin", Role.EDITOR, False),
        ("author", Role.AUTHOR, True),
        ("nobody", Role.ADMIN, False),
    ],
)
def test_the_policy_by_role(app, client, auth, policy, role, forced):
    factories.set_second_factor_policy(policy)
    user = factories.make_user(role, username=f"p_{role.label}")
    db.session.commit()
    auth.login(user)

    response = client.get("/auth/account")

    assert (response.status_code == 303) is forced


def test_removing_the_last_factor_of_a_required_role_is_refused(client, editor, policy_on):
    enrol(editor)
    password_step(client, editor)
    client.post("/auth/login/code", data={"code": code_now()})

    response = client.post("/auth/security/totp/remove")

    assert response.status_code == 303
    assert fresh(editor).totp_secret == SECRET


def test_an_author_may_remove_an_optional_app(client, author):
    enrol(author)
    password_step(client, author)
    client.post("/auth/login/code", data={"code": code_now()})

    assert client.post("/auth/security/totp/remove").status_code == 303

    assert fresh(author).totp_secret == ""
    assert "user.totp_removed" in audit_actions(author)


def test_admin_settings_choose_the_policy(client, auth, admin):
    auth.login(admin)
    data = {"site_name": "The Newsroom", "posts_per_page": "10", "comment_policy": "first",
            "second_factor_from": "author"}  # fmt: skip

    bad = client.post("/admin/settings", data=data | {"second_factor_from": "everyone<script>"})
    assert bad.status_code == 422
    assert "Please choose one of the options" in bad.get_data(as_text=True)
    assert factors.required_role() is None

    assert client.post("/admin/settings", data=data).status_code == 303
    assert factors.required_role() == Role.AUTHOR
    # The admin has no second factor yet: from now on, they must enrol first.
    assert client.get("/admin/").headers["Location"] == "/auth/security"


# ---------------------------------------------------------------- an admin's reset


def test_an_admin_resets_another_staff_members_factor(app, client, auth, admin, editor):
    enrol(editor)
    editors_browser = app.test_client()
    password_step(editors_browser, editor)
    editors_browser.post("/auth/login/code", data={"code": code_now()})
    assert editors_browser.get("/auth/account").status_code == 200
    auth.login(admin)

    response = client.post(f"/admin/users/{editor.id}/second-factor/reset")

    assert response.status_code == 303
    user = fresh(editor)
    assert user.totp_secret == ""
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
    assert editors_browser.get("/auth/account").status_code == 302  # logged out
    (entry,) = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "user.reset_second_factor")
    )
    assert (entry.actor_id, entry.object_id) == (admin.id, editor.id)
    assert mails(editor.email, "Your second factor")


def test_an_admin_cannot_reset_their_own_factor_from_the_admin(client, auth, admin):
    enrol(admin)
    password_step(client, admin)
    client.post("/auth/login/code", data={"code": code_now()})

    client.post(f"/admin/users/{admin.id}/second-factor/reset")

    assert fresh(admin).totp_secret == SECRET


def test_the_reset_command(runner, editor):
    enrol(editor)

    result = runner.invoke(args=["reset-2fa", "EDITH"])

    assert result.exit_code == 0, result.output
    assert "Removed the second factors of edith" in result.output
    assert fresh(editor).totp_secret == ""
    assert mails(editor.email, "Your second factor")
    unknown = runner.invoke(args=["reset-2fa", "nobody_here"])
    assert unknown.exit_code != 0 and "no user named" in unknown.output


def test_create_user_says_what_a_staff_role_needs(runner, app):
    factories.set_second_factor_policy("editor")

    staff = runner.invoke(
        args=["create-user", "nadia", "nadia@example.com", "--role", "editor",
              "--password", "a long enough passphrase"],
    )  # fmt: skip
    reader = runner.invoke(
        args=["create-user", "rhea", "rhea@example.com", "--password", "a long enough passphrase"],
    )

    assert "second factor" in staff.output and "blog reset-2fa" in staff.output
    assert "second factor" not in reader.output
