"""Test helpers for mail: a real SMTP server on 127.0.0.1 (aiosmtpd) and running the queue."""

from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from tests.live import free_port


class Collector:
    """An SMTP handler that keeps what it accepted; `answers` maps an address to a reply
    such as "550 No such user" or "451 Try later" given to its RCPT TO instead of
    accepting it; `data_answer`, when set, is the reply to every DATA (a server-wide
    refusal such as "554 5.7.1 Sender address not verified")."""

    def __init__(self):
        self.envelopes = []
        self.answers: dict[str, str] = {}
        self.data_answer = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.answers:
            return self.answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_answer:
            return self.data_answer
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def messages_but_sign_in(self) -> list:
        """The messages, less the "New login to..." notice a staff login queues."""
        return [m for m in self.messages() if not m["Subject"].startswith("New login to")]


def mail_config(smtp: Controller) -> dict:
    """App settings that send through the test SMTP server `smtp`."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_SENDER": "desk@newsroom.test"}


def start_smtp(handler: Collector | None = None) -> Controller:
    controller = Controller(handler or Collector(), hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def run_jobs():
    """Run every due job now, as `blog send-due` would; the counts."""
    from blog.core.worker import run_due

    return run_due()
