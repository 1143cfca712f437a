"""Debian's nginx, started by the tests with the config `blog deploy-config` writes.

`Nginx` renders the HTTP-only form of deploy/newsroom.nginx.conf for a test gunicorn,
wraps it in a minimal nginx.conf of its own (prefix, pid, logs and temp folders in the
test's folder, no system service touched) and runs the binary in the foreground on a
free port of 127.0.0.1; it always stops. Without the binary the tests skip, except on
CI, where a missing nginx fails.
"""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from blog.ops.deployconfig import DeploySettings, render
from tests.live import ROOT, Browser, free_port, stop_group

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
MIME_TYPES = Path("/etc/nginx/mime.types")


def require_nginx() -> str:
    """The nginx binary; skips the test without it (fails on CI)."""
    if NGINX and MIME_TYPES.exists():
        return NGINX
    if os.environ.get("CI"):
        pytest.fail("nginx is not installed (.ci/run installs Debian's nginx)")
    pytest.skip("nginx is not installed (apt-get install nginx)")


WRAPPER = """\
{user}
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log warn;
events {{ worker_connections 2048; }}
http {{
    include {mime};
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 30;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    include {folder}/site.conf;
{extra}}}
"""


class Nginx:
    """nginx in front of `upstream_port` with the generated site config, HTTP only."""

    def __init__(self, folder: Path, upstream_port: int, instance: Path, extra: str = ""):
        self.binary = require_nginx()
        self.folder = folder
        self.port = free_port()
        self.cache = folder / "cache"
        for sub in ("logs", "tmp", "cache"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        settings = DeploySettings(
            domain="localhost",
            tls=False,
            listen=f"127.0.0.1:{self.port}",
            upstream=f"127.0.0.1:{upstream_port}",
            root=str(ROOT),
            instance=str(instance),
            cache_dir=str(self.cache),
            log_dir=str(folder / "logs"),
        )
        self.site_conf = render(settings)["newsroom.nginx.conf"]
        (folder / "site.conf").write_text(self.site_conf)
        # As root, nginx's workers would run as nobody, who cannot read a test's folders.
        user = "user root root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            WRAPPER.format(user=user, folder=folder, mime=MIME_TYPES, extra=extra)
        )
        self.process: subprocess.Popen | None = None

    def check(self) -> subprocess.CompletedProcess:
        """`nginx -t` on the generated config."""
        return subprocess.run(
            [self.binary, "-t", "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip

    def __enter__(self) -> "Nginx":
        log = open(self.folder / "logs" / "stderr.log", "wb")
        self.process = subprocess.Popen(
            [
                self.binary, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"),
                "-g", "daemon off;",
            ],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 10
        while True:
            try:
                Browser(self.port, timeout=5).request("GET", "/static/favicon.svg")
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    errors = (self.folder / "logs" / "stderr.log").read_text()
                    raise RuntimeError(f"nginx did not start:\n{errors}") from None
                time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            stop_group(self.process, signal.SIGQUIT)  # nginx's graceful stop
        self.process = None
