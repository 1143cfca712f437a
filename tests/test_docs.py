"""The documentation site builds strictly (no broken link or anchor, no page left out
of the navigation), offline, and the README's links into it resolve."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = Path(sys.executable).with_name("mkdocs")


def test_docs_build_strictly_without_warnings(tmp_path):
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}

    result = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "ERROR" not in output, output
    assert (tmp_path / "site" / "operators" / "index.html").is_file()


def test_the_readme_links_to_docs_pages_that_exist():
    readme = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(((?:docs|bench)/[^)#\s]+)", readme)

    assert "docs/images/home.png" in targets and "docs/operators.md" in targets
    assert [target for target in targets if not (ROOT / target).is_file()] == []


def test_the_screenshot_is_small():
    image = ROOT / "docs" / "images" / "home.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.stat().st_size < 300_000
