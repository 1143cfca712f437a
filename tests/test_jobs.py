"""The job queue: idempotent keys, claiming, retries with backoff, crash recovery, SMTP outcomes."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core import jobs
from blog.core.mail import queue_mail
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Job, JobState
from tests.mailing import mail_config, run_jobs

calls: list[tuple[str, dict]] = []


@jobs.handler("test-ok")
def _ok(payload, run):
    calls.append(("ok", payload))


@jobs.handler("test-flaky")
def _flaky(payload, run):
    calls.append(("flaky", payload))
    if run.attempt < payload["succeed_on"]:
        raise RuntimeError("not yet")


@jobs.handler("test-fatal")
def _fatal(payload, run):
    raise jobs.Fail("never")


@pytest.fixture(autouse=True)
def _reset_calls():
    calls.clear()


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def job(key: str) -> Job:
    return db.session.scalar(sa.select(Job).where(Job.key == key))


def add(kind, key, payload=None, **kwargs) -> bool:
    added = jobs.enqueue(kind, key, payload or {}, **kwargs)
    db.session.commit()
    return added


def test_enqueue_is_idempotent_by_key(app):
    assert add("test-ok", "k1", {"n": 1}) is True
    assert add("test-ok", "k1", {"n": 2}) is False

    counts = run_jobs()

    assert counts.done == 1
    assert calls == [("ok", {"n": 1})]
    assert job("k1").state == JobState.DONE
    assert add("test-ok", "k1") is False  # a done job's key still counts
    assert run_jobs().total == 0


def test_jobs_in_the_future_wait(app):
    add("test-ok", "later", run_after=utcnow() + timedelta(hours=1))

    assert run_jobs().total == 0
    assert job("later").state == JobState.QUEUED


def test_a_failing_job_is_retried_with_backoff_then_succeeds(app):
    app.config["JOBS_RETRY_BASE_SECONDS"] = 60
    add("test-flaky", "f", {"succeed_on": 2})

    first = run_jobs()
    retry_at = job("f").run_after

    assert first.retried == 1
    assert job("f").state == JobState.QUEUED
    assert "not yet" in job("f").last_error
    assert utcnow() + timedelta(seconds=40) < retry_at < utcnow() + timedelta(seconds=80)
    assert run_jobs().total == 0  # not due yet

    db.session.execute(sa.update(Job).values(run_after=utcnow()))
    db.session.commit()
    assert run_jobs().done == 1
    assert job("f").attempts == 2


def test_out_of_attempts_or_permanent_errors_fail(app):
    app.config["JOBS_RETRY_BASE_SECONDS"] = 0
    add("test-flaky", "f", {"succeed_on": 99}, max_attempts=3)
    add("test-fatal", "x")
    add("no-such-kind", "y")

    for _ in range(3):
        run_jobs()

    assert job("f").state == JobState.FAILED
    assert job("f").attempts == 3
    assert job("x").state == JobState.FAILED
    assert job("x").attempts == 1
    assert "no handler" in job("y").last_error


def test_jobs_of_a_dead_worker_on_this_host_are_run_again(app):
    add("test-ok", "orphan")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    import socket

    db.session.execute(
        sa.update(Job).values(state=JobState.RUNNING, claimed_at=utcnow(), attempts=1,
                              claimed_by=f"{socket.gethostname()}:{dead.stdout.strip()}:abcd")
    )  # fmt: skip
    db.session.commit()

    assert run_jobs().done == 1
    assert calls == [("ok", {})]


def test_a_claim_whose_lease_ran_out_is_taken_over(app):
    add("test-ok", "stale")
    db.session.execute(
        sa.update(Job).values(state=JobState.RUNNING, claimed_by="elsewhere:1:beef",
                              claimed_at=utcnow() - timedelta(hours=1))
    )  # fmt: skip
    db.session.commit()

    assert run_jobs().done == 1


def test_a_live_claim_is_left_alone(app):
    add("test-ok", "busy")
    db.session.execute(
        sa.update(Job).values(state=JobState.RUNNING, claimed_by=f"otherhost:{os.getpid()}:1",
                              claimed_at=utcnow())
    )  # fmt: skip
    db.session.commit()

    assert run_jobs().total == 0
    assert job("busy").state == JobState.RUNNING


def test_two_workers_claim_disjoint_jobs(app):
    for n in range(10):
        jobs.enqueue("test-ok", f"c{n}", {"n": n})
    db.session.commit()
    app.config["JOBS_BATCH"] = 4

    first = jobs.claim("w1", 4)
    second = jobs.claim("w2", 4)

    assert len(first) == len(second) == 4
    assert not {c.id for c in first} & {c.id for c in second}


def test_queued_mail_goes_out_through_smtp_with_a_stable_message_id(app, smtp):
    queue_mail("reader@example.com", "Hello", "Body", key="hello:1")
    db.session.commit()
    assert smtp.handler.envelopes == []  # queued, not sent

    assert run_jobs().done == 1

    (message,) = smtp.handler.messages()
    assert message["To"] == "reader@example.com"
    assert message["Message-ID"].startswith(f"<job-{job('hello:1').id}.")


def test_a_4xx_answer_retries_and_a_5xx_answer_fails(app, smtp):
    smtp.handler.answers = {"later@example.com": "451 Try again later",
                            "gone@example.com": "550 No such user"}  # fmt: skip
    queue_mail("later@example.com", "Hi", "x", key="m:later")
    queue_mail("gone@example.com", "Hi", "x", key="m:gone")
    queue_mail("fine@example.com", "Hi", "x", key="m:fine")
    db.session.commit()

    counts = run_jobs()

    assert (counts.done, counts.retried, counts.failed) == (1, 1, 1)
    assert job("m:later").state == JobState.QUEUED
    assert "451" in job("m:later").last_error
    assert job("m:gone").state == JobState.FAILED
    assert job("m:gone").last_error.startswith("bounced: 550")
    assert [m["To"] for m in smtp.handler.messages()] == ["fine@example.com"]


def test_mail_server_down_keeps_the_mail_queued(app):
    from tests.live import free_port

    app.config["MAIL_PORT"] = free_port()
    queue_mail("reader@example.com", "Hi", "x", key="m:down")
    db.session.commit()

    assert run_jobs().retried == 1
    assert job("m:down").state == JobState.QUEUED


def test_header_injection_never_reaches_the_queue(app):
    with pytest.raises(ValueError):
        queue_mail("a@example.com\r\nBcc: victim@example.com", "Hi", "x", key="bad")
    with pytest.raises(ValueError):
        queue_mail("a@example.com", "Hi\nBcc: victim@example.com", "x", key="bad")
    db.session.rollback()
    assert job("bad") is None


def test_send_due_command(app, runner, smtp):
    queue_mail("reader@example.com", "Hi", "x", key="cli")
    db.session.commit()

    result = runner.invoke(args=["send-due"])

    assert result.exit_code == 0, result.output
    assert "1 done, 0 to retry, 0 failed" in result.output
    assert len(smtp.handler.envelopes) == 1


def test_mail_is_dkim_signed_when_a_key_is_set(app, smtp, tmp_path):
    import base64
    import shutil

    import dkim

    if shutil.which("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("openssl is needed to make a DKIM test key")
        pytest.skip("openssl is not installed")
    pem = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(pem), "2048"], check=True,
                   capture_output=True)  # fmt: skip
    public = subprocess.run(["openssl", "rsa", "-in", str(pem), "-pubout", "-outform", "DER"],
                            check=True, capture_output=True).stdout  # fmt: skip
    app.config.update(MAIL_DKIM_KEY_FILE=str(pem), MAIL_DKIM_SELECTOR="s1")
    queue_mail("reader@example.com", "Signed", "Body", key="dkim")
    db.session.commit()

    run_jobs()

    (envelope,) = smtp.handler.envelopes
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    assert envelope.content.startswith(b"DKIM-Signature:")
    assert dkim.verify(envelope.content, dnsfunc=lambda name, timeout=5: record)
