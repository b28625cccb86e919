"""`earlyhelp users add|list|set-role|disable`, each change audited."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from earlyhelp.cli.main import app
from earlyhelp.settings import load_settings
from serving.store.audit import read_log
from serving.store.database import engine_for, session_factory


def test_users_commands_add_list_change_and_disable(tmp_path: Path) -> None:
    runner = CliRunner()
    here = ["--data-dir", str(tmp_path)]

    def run(*args: str) -> str:
        done = runner.invoke(app, [*args, *here])
        assert done.exit_code == 0, done.output
        return done.output

    run("users", "add", "asha", "--role", "practitioner", "--name", "Asha Patel",
        "--team", "Early help, North", "--password", "a-long-enough-password")
    refused = runner.invoke(app, ["users", "add", "gov", "--role", "governance", "--name", "G",
                                  "--team", "Early help, North", "--password",
                                  "a-long-enough-password", *here])
    assert refused.exit_code != 0 and "no team" in refused.output
    bad_role = runner.invoke(app, ["users", "add", "x", "--role", "superuser", "--name", "X",
                                   "--password", "a-long-enough-password", *here])
    assert bad_role.exit_code != 0 and "--role 'superuser'" in bad_role.output
    run("users", "set-role", "asha", "--role", "team_manager", "--team", "Early help, North",
        "--team", "Early help, South")
    run("users", "disable", "asha")
    listed = run("users", "list")
    assert "asha" in listed and "team_manager" in listed and "no" in listed
    factory = session_factory(engine_for(load_settings(data_dir=tmp_path)))
    with factory() as session:
        actions = [(e.actor, e.action, e.target) for e in read_log(session)]
    assert actions == [("cli", "user_disabled", "asha"), ("cli", "user_changed", "asha"),
                       ("cli", "user_added", "asha")]
