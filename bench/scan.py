"""A web vulnerability scan (wapiti) of a live site, logged in as an admin.

    python3 -m venv /tmp/wapiti && /tmp/wapiti/bin/pip install wapiti3
    .venv/bin/python bench/scan.py --wapiti /tmp/wapiti/bin/wapiti --minutes 15

Builds a throwaway site (real migrations, demo-like content, an admin), serves it with
gunicorn on 127.0.0.1 (tests/live.py), logs in through the real form, and runs wapiti
with the admin's session cookie against it only, bounded in time. wapiti submits every
form it finds, so the site is a copy that is thrown away. Prints the findings per
category and the anomalies (server errors), and writes wapiti's JSON report to
bench/results/. The triage of a run is in docs or the README's security section; this
is not part of the test suite (wapiti is not a dependency of the project).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from blog import create_app  # noqa: E402
from blog.extensions import db  # noqa: E402
from blog.models import Role  # noqa: E402
from tests import factories  # noqa: E402
from tests.live import Browser, Gunicorn, prepare_site  # noqa: E402

ADMIN = "scanadmin"


def add_content(site) -> None:
    """An admin, a draft, a tag, a page and a few comments, so every form is reachable."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": site.uri, "SECRET_KEY": site.secret})
    with app.app_context():
        factories.make_user(Role.ADMIN, username=ADMIN)
        tag = factories.make_tag("Harbour")
        article = factories.make_article("Scan target", tags=[tag])
        factories.make_article("Embargoed draft", status="draft")
        factories.make_comment(article, body="A first comment with a [link](https://example.org)")
        factories.make_page("About the scan")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def admin_cookie(port: int) -> str:
    browser = Browser(port)
    _, _, html = browser.request("GET", "/auth/login")
    status, _, _ = browser.request(
        "POST",
        "/auth/login",
        {"login": ADMIN, "password": factories.PASSWORD, "csrf_token": browser.csrf_token(html)},
    )
    assert status in (302, 303), f"the admin could not log in ({status})"
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def summary(report: dict) -> list[str]:
    lines = []
    for kind in ("vulnerabilities", "anomalies", "additionals"):
        found = {name: items for name, items in report.get(kind, {}).items() if items}
        lines.append(f"{kind}: {sum(len(v) for v in found.values())}")
        for name, items in sorted(found.items()):
            lines.append(f"  {name}: {len(items)}")
            for item in items[:5]:
                lines.append(f"    {item.get('method')} {item.get('path')}: {item.get('info')}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wapiti", default="wapiti", help="the wapiti executable")
    parser.add_argument("--minutes", type=float, default=15, help="scan time limit")
    parser.add_argument("--modules", default="", help="wapiti -m (default: its own set)")
    args = parser.parse_args()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    out = results / "wapiti.json"
    with tempfile.TemporaryDirectory() as tmp:
        site = prepare_site(Path(tmp) / "site")
        add_content(site)
        with Gunicorn(site.env, Path(tmp), workers=2) as server:
            base = f"http://127.0.0.1:{server.port}/"
            command = [
                args.wapiti, "-u", base, "--scope", "folder",
                "-H", f"Cookie: {admin_cookie(server.port)}",
                # Logging out would end the scan's session.
                "-x", f"{base}auth/logout",
                # The whole scan, and each attack module (else one module runs on).
                "--max-scan-time", str(int(args.minutes * 60)),
                "--max-attack-time", str(int(args.minutes * 60 / 10)),
                "--flush-session", "-f", "json", "-o", str(out), "--no-bugreport",
            ]  # fmt: skip
            if args.modules:
                command += ["-m", args.modules]
            subprocess.run(command, check=False, timeout=args.minutes * 60 * 2)
        site.drop()
    report = json.loads(out.read_text())
    print("\n".join(summary(report)))
    print(f"wapiti's report: {out}")


if __name__ == "__main__":
    main()
