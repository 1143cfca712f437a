"""`blog --help` works on a fresh instance; commands that need the key say so in one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BLOG = Path(sys.executable).with_name("blog")
COMMANDS = [
    "audience-rollup", "backup", "copy-data", "create-user", "db", "demo", "deploy-config",
    "doctor", "export-wordpress", "import-wordpress", "reindex", "restore", "run", "send-due",
    "setup", "worker",
]  # fmt: skip


def blog(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    env["BLOG_INSTANCE_PATH"] = str(tmp_path / "instance")
    return subprocess.run(
        [str(BLOG), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_help_lists_every_command_before_setup(tmp_path):
    result = blog(tmp_path, "--help")

    assert result.returncode == 0, result.stderr
    listed = {
        line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()
    }
    assert set(COMMANDS) <= listed
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "instance" / "secret_key").exists()  # help wrote nothing


@pytest.mark.parametrize("command", ["demo", "worker"])
def test_a_command_that_needs_the_key_says_so(tmp_path, command):
    help_result = blog(tmp_path, command, "--help")
    assert help_result.returncode == 0 and "Usage: blog" in help_result.stdout

    result = blog(tmp_path, command)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Run `blog setup`" in result.stderr and "BLOG_SECRET_KEY" in result.stderr
