"""Checkers the standards tests run: npm packages in .ci/node/ and Java.

`.ci/run` installs them (`npm ci --prefix .ci/node`, Debian's default-jre-headless).
`tool(...)` returns a path, or skips the test when it is missing, except on CI
(CI=true), where a missing checker fails.
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / ".ci" / "node" / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
SITEMAP_XSD = NODE_MODULES / "sitemap" / "schema" / "sitemap.xsd"


def missing(what: str) -> None:
    message = f"{what} is missing: run .ci/run, or `npm ci --prefix .ci/node`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def tool(path: Path) -> Path:
    """`path` if it exists (skip locally, fail on CI otherwise)."""
    if not path.exists():
        missing(str(path.relative_to(ROOT)))
    return path


def java() -> str:
    found = shutil.which("java")
    if not found:
        missing("java (apt-get install default-jre-headless)")
    return found
