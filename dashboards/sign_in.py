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
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboards.audit import record
from dashboards.throttle import record_failure, record_success, refused_until
from dashboards.users import check_sign_in, find_user, users_file_path
from dashboards.viewer import Viewer

SESSION_KEY = "ppa_user"
PAGE = "sign_in"
# One message for an unknown name and a wrong password: the page never says which names exist.
FAILED = "Wrong username or password."
REFUSED = "Too many failed sign-ins for this username: try again in 15 minutes."


def oidc_configured() -> bool:
    """True when secrets.toml configures an identity provider (`[auth]`)."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def current_viewer() -> Viewer | None:
    """The signed-in viewer with the role and site the users file gives now, or None."""
    oidc = oidc_configured()
    if oidc:
        name = st.user.get("email") if st.user.is_logged_in else None
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
    viewer = current_viewer()
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
        name = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        problem = attempt_sign_in(name.strip(), password)
        if problem:
            st.error(problem)
        else:
            st.rerun()


def attempt_sign_in(name: str, password: str) -> str | None:
    """Sign `name` in for this session; the message to show when that is refused."""
    path = users_file_path()
    if refused_until(path, name):
        record(name, None, PAGE, "sign_in_refused")
        return REFUSED
    user = check_sign_in(path, name, password)
    if user is None:
        record_failure(path, name)
        record(name, None, PAGE, "sign_in_failed")
        return FAILED
    record_success(path, name)
    st.session_state[SESSION_KEY] = name
    record(name, user.role, PAGE, "sign_in")
    return None


def _provider_sign_in() -> None:
    if st.user.is_logged_in:
        # Signed in at the provider, but no (enabled) entry for this email in the users file.
        email = st.user.get("email")
        record(str(email), None, PAGE, "sign_in_failed_oidc")
        st.error(f"{email} has no access to these dashboards. Ask the program's data team.")
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
