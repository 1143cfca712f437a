"""Test helpers for mail: a real SMTP server on 127.0.0.1 (aiosmtpd) and running the queue."""

from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from tests.live import free_port


class Collector:
    """An SMTP handler that keeps what it accepted; `answers` maps an address to a reply
    such as "550 No such user" or "451 Try later" given instead of accepting."""

    def __init__(self):
        self.envelopes = []
        self.answers: dict[str, str] = {}

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.answers:
                return self.answers[rcpt]
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def mail_config(smtp: Controller) -> dict:
    """App settings that send through the test SMTP server `smtp`."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_SENDER": "desk@newsroom.test"}


def start_smtp(handler: Collector | None = None) -> Controller:
    controller = Controller(handler or Collector(), hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def run_jobs():
    """Run every due job now, as `blog send-due` would; the counts."""
    from blog.core.jobs import run_due

    return run_due()
