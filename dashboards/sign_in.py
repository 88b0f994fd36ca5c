"""Who is looking: the sign-in page, the signed-in viewer on every rerun, and sign-out.

Two ways in, chosen by configuration:
- the users file (default): `Username` and `Password` checked against its argon2 hashes;
- an identity provider, when `.streamlit/secrets.toml` has an `[auth]` section:
  Streamlit's OIDC `st.login()`, and the signed-in email is looked up in the users file
  (an entry named by that email) for role and site; no password.

The session keeps the user name (`st.session_state["ppa_user"]`) and, after a password
sign-in, its token (`dashboards/sessions.py`), never the role: the role and site are read
from the users file on every rerun, so a disabled or removed user is out at the next
click. Pages call `require_viewer()` first; AppTests of pages sign a user in by setting
`ppa_user` alone to a name added with `users.add_user`.

A password sign-in lasts beyond the browser's connection: its token is kept in a cookie
(`ppa_session`), so a reload, a bookmark or a shared link opens signed in. The token is
checked again on every rerun, so an expired one, one ended by a sign-out (in any browser)
and one signed with a rotated key are out at the next click, and their cookie is cleared.
Streamlit reads the cookie the browser sent when the page connected (`st.context.cookies`);
it is written by extra-streamlit-components' CookieManager, from the page, so it cannot be
HttpOnly: SameSite strict, scoped to the app's path, Secure when the page is served over
HTTPS, and worth nothing once ended. The identity provider's sign-in lasts by Streamlit's
own cookie instead.

A password sign-in is counted as failed before its password is checked (`throttle`), per
name, per client address and across everyone. The provider's sign-in counts only when the
provider says it verified the e-mail (`email_verified`): otherwise anyone who can set an
address at the provider would get that address's role here. The audit log keeps what was
typed as a name only when it is a user's name (`users.name_for_log`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import NoReturn

import extra_streamlit_components as stx
import streamlit as st

from dashboards import sessions, throttle
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
# The token this session is signed in with, and what the browser's cookie is to hold (""
# to clear it) once this session has written it.
TOKEN_KEY = "ppa_session_token"
COOKIE_KEY = "ppa_session_cookie"
COOKIE = "ppa_session"
_CLEARED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
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
    name = _verified_email() if oidc else _session_name()
    if not name:
        return None
    user = find_user(users_file_path(), name)
    if user is None or user.disabled:
        if st.session_state.pop(SESSION_KEY, None):
            record(name, None, PAGE, "sign_out_no_access")
        _end_session()
        return None
    if st.session_state.get(SESSION_KEY) != name:
        # The provider's redirect back, or the cookie a new page brought: recorded once
        # per session.
        st.session_state[SESSION_KEY] = name
        record(name, user.role, PAGE, "sign_in_oidc" if oidc else "session_resumed")
    return user.viewer()


def _session_name() -> str | None:
    """Whom this session's token, or else the cookie the page brought, signs in; renewed
    when due. A token that no longer verifies ends the session."""
    token = st.session_state.get(TOKEN_KEY)
    if token is None:
        if st.session_state.get(SESSION_KEY):
            # Signed in by the server without a token (the page tests): nothing to check.
            return st.session_state[SESSION_KEY]
        token = _browser_token()
        if token is None:
            return None
    path = users_file_path()
    session = sessions.verify(path, token)
    if session is None:
        if ended := st.session_state.pop(SESSION_KEY, None):
            record(ended, None, PAGE, "session_ended")
        _end_session()
        return None
    st.session_state[TOKEN_KEY] = token
    if session.renewal_due():
        _keep_token(sessions.issue(path, session.name))
    return session.name


def _browser_token() -> str | None:
    """The token in the cookie the browser sent when this page connected; once this session
    has written the cookie, that copy is out of date."""
    if COOKIE_KEY in st.session_state:
        return None
    return st.context.cookies.get(COOKIE) or None


def _keep_token(token: str) -> None:
    st.session_state[TOKEN_KEY] = token
    st.session_state[COOKIE_KEY] = token


def _end_session() -> None:
    """Forget this session's token and clear the browser's cookie, if there is one."""
    had_token = st.session_state.pop(TOKEN_KEY, None) is not None
    if had_token or st.session_state.get(COOKIE_KEY) or _browser_token():
        st.session_state[COOKIE_KEY] = ""


def _write_cookie() -> None:
    """Make the browser's cookie hold what this session says it should, rendered on every
    run from the first write on: the component writes when it is drawn, and a component
    drawn on one run only may be gone before its frame has loaded."""
    if COOKIE_KEY not in st.session_state:
        return
    token = st.session_state[COOKIE_KEY]
    lifetime = dt.timedelta(seconds=sessions.LIFETIME_SECONDS if token else 0)
    stx.CookieManager(key="ppa_cookie_manager").set(
        COOKIE, token, key="ppa_cookie", path=_app_path(),
        expires_at=dt.datetime.now(dt.UTC) + lifetime if token else _CLEARED,
        max_age=lifetime.total_seconds(),
        secure=(st.context.url or "").startswith("https://"), same_site="strict",
    )


def _app_path() -> str:
    """The app's own path (every page and its connection lie under it): the cookie's scope."""
    return "/" + st.get_option("server.baseUrlPath").strip("/")


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
        _write_cookie()
        st.stop()
    with st.sidebar:
        _write_cookie()
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
    _keep_token(sessions.issue(path, name))
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
    """The sidebar's `Sign out`: ends the viewer's sign-in, in this browser and every other
    one holding a token of theirs (with a provider, the provider's cookie)."""
    if st.sidebar.button("Sign out"):
        record(viewer.name, viewer.role, PAGE, "sign_out")
        st.session_state.pop(SESSION_KEY, None)
        if oidc_configured():
            # The browser is sent to the provider's sign-out and back; a rerun here
            # could race that redirect away.
            st.logout()
            st.stop()
        sessions.end_sessions(users_file_path(), viewer.name)
        _end_session()
        st.rerun()
