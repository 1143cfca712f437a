"""DKIM signing of outgoing mail, when MAIL_DKIM_KEY_FILE is set (dkimpy)."""

from pathlib import Path


def sign(data: bytes, config) -> bytes:
    """`data` with a DKIM-Signature header when MAIL_DKIM_KEY_FILE is set, else as is."""
    key_file = config.get("MAIL_DKIM_KEY_FILE")
    if not key_file:
        return data
    import dkim  # dkimpy, only needed when DKIM is configured

    domain = config.get("MAIL_DKIM_DOMAIN") or config["MAIL_SENDER"].rpartition("@")[2]
    signature = dkim.sign(
        data,
        selector=config["MAIL_DKIM_SELECTOR"].encode(),
        domain=domain.strip("> ").encode(),
        privkey=Path(key_file).read_bytes(),
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id",
                         b"list-id", b"list-unsubscribe", b"list-unsubscribe-post"],
    )  # fmt: skip
    return signature + data
