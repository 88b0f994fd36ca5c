"""Who is looking: the sign-in page, the signed-in viewer on every rerun, and sign-out.

Two ways in, chosen by configuration:
- the users file (default): `Username` and `Password` checked against its argon2 hashes;
- an identity provider, when `.streamlit/secrets.toml` has an `[auth]` section:
  Streamlit's OIDC `st.login()`, and the signed-in email is looked up in the users file
  (an entry named by that email) for role and site; no password.

The session keeps only the user name (`st.session_state["ppa_user"]`); the role and site
are read from the users file on every rerun, so a disabled or removed user is out at
the next click. Pages call `require_viewer()` first; AppTests of pages sign a user in by
setting `ppa_user` to a name added with `users.add_user`.

A password sign-in is counted as failed before its password is checked (`throttle`), per
name, per client address and across everyone. The provider's sign-in counts only when the
provider says it verified the e-mail (`email_verified`): otherwise anyone who can set an
address at the provider would get that address's role here. The audit log keeps what was
typed as a name only when it is a user's name (`users.name_for_log`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NoReturn

import streamlit as st

from dashboards import throttle
from dashboards.audit import record
from dashboards.markdown_text import literal
from dashboards.users import (
    MAX_NAME_LENGTH,
    UsersFileError,
    check_sign_in,
    find_user,
    name_digest,
    name_for_log,
    users_file_path,
)
from dashboards.viewer import Viewer
from orchestration.config import SignInLimits

SESSION_KEY = "ppa_user"
PAGE = "sign_in"
# One message for an unknown name and a wrong password: the page never says which names exist.
FAILED = "Wrong username or password."
_LOCKOUT_MINUTES = f"{SignInLimits().lockout_seconds / 60:.0f} minutes"
REFUSED = f"Too many failed sign-ins for this username: try again in {_LOCKOUT_MINUTES}."
REFUSED_CLIENT = f"Too many failed sign-ins from this address: try again in {_LOCKOUT_MINUTES}."
REFUSED_EVERYONE = "Too many failed sign-ins to these dashboards just now: try again in a minute."
_REFUSED = {throttle.NAME: REFUSED, throttle.CLIENT: REFUSED_CLIENT,
            throttle.EVERYONE: REFUSED_EVERYONE}
# What a visitor reads when the users file is broken; the reason goes to the server's log.
UNAVAILABLE = "Sign-in is unavailable just now. Please tell the program's data team."

_LOG = logging.getLogger(__name__)


def oidc_configured() -> bool:
    """True when secrets.toml configures an identity provider (`[auth]`)."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def _verified_email() -> str | None:
    """The provider's e-mail when the provider says it verified it, else None."""
    if not st.user.is_logged_in:
        return None
    verified = st.user.get("email_verified")
    # The standard claim is a boolean; some providers send the string "true".
    if verified is True or str(verified).lower() == "true":
        return st.user.get("email")
    return None


def current_viewer() -> Viewer | None:
    """The signed-in viewer with the role and site the users file gives now, or None."""
    oidc = oidc_configured()
    if oidc:
        name = _verified_email()
    else:
        name = st.session_state.get(SESSION_KEY)
    if not name:
        return None
    user = find_user(users_file_path(), name)
    if user is None or user.disabled:
        if st.session_state.pop(SESSION_KEY, None):
            record(name, None, PAGE, "sign_out_no_access")
        return None
    if oidc and st.session_state.get(SESSION_KEY) != name:
        # The provider's redirect back is the sign-in: recorded once per session.
        st.session_state[SESSION_KEY] = name
        record(name, user.role, PAGE, "sign_in_oidc")
    return user.viewer()


def require_viewer(deep_links: Sequence[str] = ()) -> Viewer:
    """The signed-in viewer; otherwise the sign-in page, and this run stops here.

    Nobody signed in, the sign-in form is all the app serves. It answers at every page
    address in `deep_links` too, so a shared link (`/site?site=S01`) asks for a sign-in
    and then opens that page - within the viewer's rights - instead of "page not found".
    """
    try:
        viewer = current_viewer()
    except UsersFileError:
        _unavailable()
    if viewer is None:
        at_links = [st.Page(sign_in_page, title="Sign in", url_path=path) for path in deep_links]
        st.navigation(
            [st.Page(sign_in_page, title="Sign in", default=True), *at_links], position="hidden"
        ).run()
        st.stop()
    return viewer


def sign_in_page() -> None:
    st.title("Parent Partner Analytics")
    if oidc_configured():
        _provider_sign_in()
        return
    with st.form("sign_in"):
        name = st.text_input("Username", max_chars=MAX_NAME_LENGTH)
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        try:
            problem = attempt_sign_in(name.strip(), password, _client_address())
        except UsersFileError:
            _unavailable()
        if problem:
            st.error(problem)
        else:
            st.rerun()


def attempt_sign_in(name: str, password: str, client: str | None) -> str | None:
    """Sign `name` in for this session; the message to show when that is refused.

    `client` is the address the request came from (None: this machine).
    """
    path = users_file_path()
    if len(name) > MAX_NAME_LENGTH:
        # The form allows no more; longer text came around it and names nobody.
        record(f"unknown:{name_digest(path, name)}", None, PAGE, "sign_in_failed")
        return FAILED
    digest = name_digest(path, name)
    attempt = throttle.reserve(path, digest, client)
    if isinstance(attempt, throttle.Refusal):
        record(name_for_log(path, name, digest), None, PAGE, f"sign_in_refused_{attempt.limit}")
        return _REFUSED[attempt.limit]
    user = check_sign_in(path, name, password)
    if user is None:
        throttle.record_failure(path, attempt)
        record(name_for_log(path, name, digest), None, PAGE, "sign_in_failed")
        return FAILED
    throttle.record_success(path, attempt)
    st.session_state[SESSION_KEY] = name
    record(name, user.role, PAGE, "sign_in")
    return None


def _client_address() -> str | None:
    """The address the session's connection came from (through a trusted proxy, the
    address it forwards); None for this machine, and in AppTest, which has no connection."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _unavailable() -> NoReturn:
    _LOG.exception("the users file cannot be read")
    st.error(UNAVAILABLE)
    st.stop()


def _provider_sign_in() -> None:
    if st.user.is_logged_in:
        email = st.user.get("email")
        if _verified_email() is None:
            record(str(email), None, PAGE, "sign_in_failed_oidc_unverified")
            st.error(f"Your identity provider has not verified the e-mail address "
                     f"{literal(email)}, so it cannot open these dashboards.")
        else:
            # Signed in at the provider, but no (enabled) entry for this email in the users file.
            record(str(email), None, PAGE, "sign_in_failed_oidc")
            st.error(f"{literal(email)} has no access to these dashboards. "
                     "Ask the program's data team.")
        if st.button("Sign out"):
            st.logout()
        return
    if st.button("Sign in"):
        st.login()


def sign_out_button(viewer: Viewer) -> None:
    """The sidebar's `Sign out`: ends this session's sign-in (and the provider's cookie)."""
    if st.sidebar.button("Sign out"):
        record(viewer.name, viewer.role, PAGE, "sign_out")
        st.session_state.pop(SESSION_KEY, None)
        if oidc_configured():
            # The browser is sent to the provider's sign-out and back; a rerun here
            # could race that redirect away.
            st.logout()
            st.stop()
        st.rerun()
