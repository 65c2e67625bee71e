"""Production safety of the settings, checked in fresh interpreters with a clean environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "kaohe.example.org",
    "DJANGO_BEHIND_PROXY": "1",
    "DATABASE_URL": "postgres://kaohe:secret@db.example.org:5432/kaohe",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    result = run(["-c", "import config.settings"], DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_for() -> None:
    result = run(["-c", "import config.settings"])
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_it_starts_in_debug_mode_without_configuration() -> None:
    result = run(["-c", "import config.settings as s; print(s.DEBUG)"], DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_the_deploy_check_passes_with_the_production_variables() -> None:
    env = PRODUCTION | {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_fails_with_a_weak_secret_key() -> None:
    env = PRODUCTION | {"DJANGO_SECRET_KEY": "short"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode != 0
