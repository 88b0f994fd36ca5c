"""`ppa users ...`: manage the dashboards' users file (PPA_USERS_FILE).

The users module lives with the dashboards (`dashboards.users`); it is imported from
there, so there is one copy of the rules.
"""

from __future__ import annotations

import sys

import click


def _users():
    """The dashboards' users module, imported on use so other commands start fast."""
    from dashboards import users

    return users


def _sessions():
    """The dashboards' sessions module (lasting sign-ins), imported on use like `_users`."""
    from dashboards import sessions

    return sessions


def _fail(message: str) -> None:
    click.echo(f"ppa: error: {message}", err=True)
    sys.exit(1)


def _read_password() -> str:
    """Prompted twice on a terminal; otherwise the first line of stdin (scripts, tests)."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.group("users")
def users_group() -> None:
    """Dashboard users: names, roles, sites and password hashes (PPA_USERS_FILE)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, help="state_coordinator, site_coordinator or leadership.")
@click.option("--site", "site_id", default=None, help="Site id from seeds/sites.csv (site coordinators).")
@click.option("--no-password", is_flag=True,
              help="For sign-in through the identity provider (OIDC) only: NAME is the email.")
@click.option("--email", default=None, help="Where the monthly packet is e-mailed (optional).")
def add(name: str, role: str, site_id: str | None, no_password: bool, email: str | None) -> None:
    """Add a user; the password is prompted, or read from stdin when it is not a terminal."""
    users = _users()
    try:
        if email is not None:
            users.checked_email(email)  # refused before anyone types a password
        password = None if no_password else _read_password()
        users.add_user(users.users_file_path(), name, role, site_id, password, email)
    except users.UserError as exc:
        _fail(str(exc))
    click.echo(f"added {name} ({role}{f', site {site_id}' if site_id else ''})", err=True)


@users_group.command("list")
def list_users() -> None:
    """One line per user: name, role, site, disabled. Never a hash."""
    users = _users()
    try:
        listed = users.load_users(users.users_file_path())
    except users.UsersFileError as exc:
        _fail(str(exc))
    for user in listed.values():
        status = "disabled" if user.disabled else "active"
        click.echo(f"{user.name}\t{user.role}\t{user.site_id or '-'}\t{status}")


@users_group.command("set-password")
@click.argument("name")
def set_password(name: str) -> None:
    """Replace a user's password (prompted, or from stdin); the user's dashboard sessions end."""
    users = _users()
    try:
        users.set_password(users.users_file_path(), name, _read_password())
        _sessions().end_sessions(users.users_file_path(), name)
    except users.UserError as exc:
        _fail(str(exc))
    click.echo(f"password of {name} changed; their dashboard sessions ended", err=True)


@users_group.command("set-email")
@click.argument("name")
@click.argument("address")
def set_email(name: str, address: str) -> None:
    """Set where a user's monthly packet is e-mailed."""
    users = _users()
    try:
        users.set_email(users.users_file_path(), name, address)
    except users.UserError as exc:
        _fail(str(exc))
    click.echo(f"packets for {name} go to {address}", err=True)


@users_group.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable a user: refused at sign-in, and signed out at the next click."""
    users = _users()
    try:
        users.disable_user(users.users_file_path(), name)
        _sessions().end_sessions(users.users_file_path(), name)
    except users.UserError as exc:
        _fail(str(exc))
    click.echo(f"{name} disabled", err=True)


@users_group.command("rotate-sessions")
def rotate_sessions() -> None:
    """Replace the key that signs dashboard sessions: everyone signed in is out at the next
    click, and signs in again."""
    users = _users()
    _sessions().rotate_key(users.users_file_path())
    click.echo("session key replaced: every dashboard session has ended", err=True)
