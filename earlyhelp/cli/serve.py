"""``earlyhelp serve`` and ``earlyhelp users``: the API and pages, and who may sign in."""

from __future__ import annotations

import gc

import typer
from rich.console import Console
from rich.table import Table

from earlyhelp.cli._edge import shown_errors
from earlyhelp.cli._options import DataDir, Warehouse, step_settings, warehouse_path

_out = Console(stderr=True)
users = typer.Typer(no_args_is_help=True, help="Who may sign in, with which role and teams.")
ROLES = "practitioner, team_manager, data_scientist, governance or admin"


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    warehouse: Warehouse = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the API (/docs) and the practitioners' pages (/ui) with the champion model.

    Refuses to start when no model holds the `champion` alias (train and promote one first).
    If the registry cannot be reached, it serves the local copy of the last champion and
    says so on /ready. One process; run more behind a load balancer to scale out (each keeps
    its own copy of the model and reads users from the shared store).
    """
    import uvicorn

    from serving.app import create_app

    with shown_errors():
        settings = step_settings(data_dir)
        app = create_app(settings, warehouse=warehouse_path(settings, warehouse))
    model = app.state.context.holder.model
    # What start-up loaded (libraries, the model) lives as long as the process: out of the
    # collector's sight, a full collection no longer pauses requests for a few hundred ms.
    gc.collect()
    gc.freeze()
    _out.print(f"serving {model.name} v{model.version} ({model.source}) on "
               f"http://{host}:{port}/ui/ (API docs: /docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _factory(data_dir):  # type: ignore[no-untyped-def]
    from serving.store.database import engine_for, session_factory

    return session_factory(engine_for(step_settings(data_dir)))


@users.command("add")
def add(
    username: str = typer.Argument(..., help="Sign-in name (lower case, digits, . _ -)."),
    role: str = typer.Option(..., "--role", help=f"One of {ROLES}."),
    full_name: str = typer.Option(..., "--name", help="The person's name, shown on pages."),
    team: list[str] = typer.Option([], "--team", help="A team whose alerts they work on "
                                   "(repeat for several; practitioners and managers only)."),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True,
                                 confirmation_prompt=True, help="At least 12 characters."),
    data_dir: DataDir = None,
) -> None:
    """Add a user (the password is stored hashed with Argon2)."""
    from serving.security import Role
    from serving.store.audit import record
    from serving.store.database import session_scope
    from serving.store.users import add_user

    with shown_errors():
        chosen = _role(role)
        with session_scope(_factory(data_dir)) as session:
            add_user(session, username=username, full_name=full_name, password=password,
                     role=Role(chosen), teams=team)
            record(session, actor="cli", action="user_added", target=username,
                   detail=f"{chosen} {team}")
    _out.print(f"added {username} ({chosen})")


@users.command("list")
def list_(data_dir: DataDir = None) -> None:
    """Everyone who may sign in, with role, teams and whether they are active."""
    from serving.store.database import session_scope
    from serving.store.users import list_users

    table = Table("username", "name", "role", "teams", "active")
    with session_scope(_factory(data_dir)) as session:
        for u in list_users(session):
            table.add_row(u.username, u.full_name, u.role, ", ".join(u.team_list),
                          "yes" if u.active else "no")
    Console().print(table)


@users.command("disable")
def disable(username: str, data_dir: DataDir = None) -> None:
    """Stop a user signing in (their past decisions and audit entries stay)."""
    from serving.store.audit import record
    from serving.store.database import session_scope
    from serving.store.users import disable_user

    with shown_errors(), session_scope(_factory(data_dir)) as session:
        disable_user(session, username=username)
        record(session, actor="cli", action="user_disabled", target=username)
    _out.print(f"disabled {username}")


@users.command("set-role")
def set_role(
    username: str,
    role: str = typer.Option(..., "--role", help=f"One of {ROLES}."),
    team: list[str] = typer.Option([], "--team", help="Replace their teams (repeat)."),
    data_dir: DataDir = None,
) -> None:
    """Change a user's role (and teams)."""
    from serving.security import Role
    from serving.store.audit import record
    from serving.store.database import session_scope
    from serving.store.users import set_role as change

    with shown_errors():
        chosen = _role(role)
        with session_scope(_factory(data_dir)) as session:
            change(session, username=username, role=Role(chosen), teams=team or None)
            record(session, actor="cli", action="user_changed", target=username,
                   detail=f"{chosen} {team}")
    _out.print(f"{username} is now {chosen}")


@users.command("demo")
def demo(data_dir: DataDir = None) -> None:
    """Create one demo user per role (known passwords; refused in production) and print the
    sign-ins. `make demo` runs it."""
    from serving.demo import ensure_demo_users
    from serving.store.database import session_scope

    with shown_errors():
        settings = step_settings(data_dir)
        with session_scope(_factory(data_dir)) as session:
            made = ensure_demo_users(session, settings)
    # Plain lines, not a table: a narrow terminal would cut the passwords.
    typer.echo("Demo sign-ins (local only; refused in production):")
    for u in made:
        teams = f"  teams: {'; '.join(u.teams)}" if u.teams else ""
        typer.echo(f"  {u.role.value:<15} {u.username:<18} password {u.password}{teams}")


def _role(value: str) -> str:
    from earlyhelp.errors import InputError
    from serving.security import Role

    if value not in {r.value for r in Role}:
        raise InputError(f"--role {value!r}: choose {ROLES}")
    return value
