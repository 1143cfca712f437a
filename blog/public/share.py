"""Share links: plain links to the networks' share pages, no scripts."""

from urllib.parse import quote


def share_links(title: str, url: str) -> list[tuple[str, str]]:
    """(network, href) pairs for the "Share this post on" row: plain links, no scripts."""
    u, t = quote(url, safe=""), quote(title, safe="")
    return [
        ("X", f"https://x.com/intent/tweet?url={u}&text={t}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
        ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={u}"),
        ("WhatsApp", f"https://wa.me/?text={t}%20{u}"),
        ("Reddit", f"https://www.reddit.com/submit?url={u}&title={t}"),
        ("Email", f"mailto:?subject={t}&body={u}"),
    ]
