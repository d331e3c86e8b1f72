"""The files in deploy/ name commands that exist: every `flask --app wsgi …` a systemd unit runs is a command of
the app, every unit reads the environment file, and the example environment file names only real settings."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _flask_commands() -> list[list[str]]:
    commands = []
    for unit in DEPLOY.glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith(("ExecStart=", "ExecStartPre=")) and "flask --app wsgi" in line:
                words = shlex.split(line.split("=", 1)[1])
                commands.append(words[words.index("wsgi") + 1:])
    return commands


def test_every_command_a_unit_runs_is_a_command_of_the_app(app):
    commands = _flask_commands()
    assert len(commands) >= 5
    for words in commands:
        command = app.cli.commands.get(words[0])
        assert command is not None, words
        if len(words) > 1 and not words[1].startswith("-") and isinstance(command, click.Group):
            assert words[1] in command.commands, words


def test_every_unit_reads_the_environment_file_and_it_names_real_settings(app):
    for unit in DEPLOY.glob("*.service"):
        assert "EnvironmentFile=/etc/outreach/outreach.env" in unit.read_text(), unit.name
    names = re.findall(r"^([A-Z_]+)=", (DEPLOY / "outreach.env.example").read_text(), re.M)
    assert names and all(name in app.config for name in names if name != "DATABASE_URL"), \
        [n for n in names if n not in app.config]


def test_the_daily_unit_sends_the_day_s_notices_after_retention():
    """The follow-up and the reminders run every day, after retention has erased whom it erases (they name no
    student erased that day)."""
    commands = [line.split("wsgi", 1)[1].strip() for line in (DEPLOY / "outreach-daily.service").read_text().splitlines()
                if line.startswith("ExecStart=") and "flask --app wsgi" in line]
    assert "notices run" in commands and "retention run" in commands
    assert commands.index("retention run") < commands.index("notices run")
