"""`blog deploy-config`: the files in deploy/ (nginx site, systemd units, logrotate)
rendered with Jinja for one install.

The templates live in the checkout's deploy/ folder, beside this package, because a
server runs the site from a checkout (the units' WorkingDirectory). Everything that
differs between installs is a value of `DeploySettings`; the nginx template also has an
HTTP-only form (`tls=False` with a `listen` address) that the tests run with the real
nginx binary.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "deploy"
# Template -> the name of the written file ({name} is the install's short name).
FILES = {
    "newsroom.nginx.conf": "{name}.nginx.conf",
    "newsroom.service": "{name}.service",
    "newsroom-worker.service": "{name}-worker.service",
    "newsroom.logrotate": "{name}.logrotate",
}
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
UPSTREAM = re.compile(r"^(unix:/[\w./-]+|[\w.-]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$")


class DeployError(ValueError):
    """A value that would make a broken or unsafe config; the message says which."""


@dataclass
class DeploySettings:
    domain: str
    name: str = "newsroom"
    user: str = "newsroom"
    root: str = str(ROOT)
    instance: str = ""  # default: <root>/instance
    venv: str = ""  # default: the running Python's environment
    # Where gunicorn listens: this server's own address comes first (its unit binds it);
    # nginx balances over all of them (`deploy-config --upstream A --upstream B`).
    upstream: str = "127.0.0.1:8000"
    upstreams: list[str] = field(default_factory=list)
    workers: int = 4
    cache_dir: str = "/var/cache/nginx/newsroom"
    log_dir: str = "/var/log/nginx"
    app_log_dir: str = ""  # default: /var/log/<name> (systemd's LogsDirectory)
    max_body: str = "8m"
    session_cookie: str = "session"
    remember_cookie: str = "remember_token"
    tls: bool = True
    cert_dir: str = ""  # default: certbot's /etc/letsencrypt/live/<domain>
    listen: str = ""  # only without TLS: the address nginx listens on

    def __post_init__(self) -> None:
        self.domain = self.domain.strip().lower().rstrip(".")
        if not DOMAIN.match(self.domain) and self.domain != "localhost":
            raise DeployError(f"{self.domain!r} is not a domain name (e.g. news.example.org)")
        if not NAME.match(self.name):
            raise DeployError("--name must be lower-case letters, digits and _")
        for cookie in (self.session_cookie, self.remember_cookie):
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", cookie):
                raise DeployError(f"cookie name {cookie!r} cannot be matched safely")
        self.upstreams = list(self.upstreams or [self.upstream])
        self.upstream = self.upstreams[0]
        for server in self.upstreams:
            if not UPSTREAM.match(server):
                raise DeployError(f"--upstream {server!r} must be host:port or unix:/path")
        self.instance = self.instance or str(Path(self.root) / "instance")
        self.venv = self.venv or sys.prefix
        self.app_log_dir = self.app_log_dir or f"/var/log/{self.name}"
        self.cert_dir = self.cert_dir or f"/etc/letsencrypt/live/{self.domain}"
        if not self.tls and not self.listen:
            raise DeployError("an HTTP-only config needs a listen address")

    @classmethod
    def from_app(cls, config: dict, domain: str, **values) -> DeploySettings:
        """Settings for `domain` with the app's cookie names and body limit."""
        megabytes = max(1, int(config.get("MAX_CONTENT_LENGTH") or 8 * 2**20) // 2**20)
        return cls(
            domain=domain,
            session_cookie=config.get("SESSION_COOKIE_NAME", "session"),
            remember_cookie=config.get("REMEMBER_COOKIE_NAME", "remember_token"),
            max_body=f"{megabytes}m",
            **values,
        )


def render(settings: DeploySettings) -> dict[str, str]:
    """File name -> rendered text for every template in deploy/."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - config files, not HTML; values are validated
    )
    values = asdict(settings)
    values["cookie_pattern"] = "|".join(
        re.escape(c) for c in (settings.session_cookie, settings.remember_cookie)
    )
    values["generated_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {
        out.format(name=settings.name): env.get_template(template).render(values)
        for template, out in FILES.items()
    }


def write(settings: DeploySettings, out_dir: Path) -> list[Path]:
    """Render every file into `out_dir` (created); returns the paths written."""
    if not TEMPLATES.is_dir():
        raise DeployError(f"no deploy/ templates at {TEMPLATES}: run this from a checkout")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in render(settings).items():
        path = out_dir / filename
        path.write_text(text)
        os.chmod(path, 0o644)
        written.append(path)
    return written
