"""The data page's accounts section: administrators add accounts, change their role,
disable or enable them and reset passwords, and read the accounts' audit trail.

The rules are the command line's (:mod:`mobility.auth.accounts`,
:func:`mobility.auth.passwords.check_password_strength`); this module only draws the
forms and says the package's refusals in the page's language.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mobility.auth.passwords import MIN_LENGTH
from mobility.auth.roles import Role
from mobility.errors import MobilityError, NotFoundError, ValidationError
from mobility.i18n import format_date, t
from mobility.ui import cache
from mobility.ui.common import column_config, current_principal, show_error

ROLES = [role.value for role in Role]


def password_problem(password: str, repeated: str, lang: str) -> str | None:
    """Why ``password`` would be refused, in ``lang`` (the command line's rules), or None."""
    from mobility.auth.passwords import check_password_strength

    if password != repeated:
        return t("accounts.differ", lang)
    try:
        check_password_strength(password)
    except ValidationError:
        return t("accounts.weak", lang, n=MIN_LENGTH)
    return None


def _refusal(exc: MobilityError, lang: str) -> None:
    """A package refusal in the page's language (the English message stays in the log)."""
    text = str(exc.message)
    key = ("accounts.taken" if "is taken" in text else
           "accounts.own" if "your own" in text or "from yourself" in text else
           "accounts.scope" if "needs" in text or "requires" in text or "must" in text else
           "accounts.not_found" if isinstance(exc, NotFoundError) else None)
    if key is None:
        show_error(exc)
    else:
        st.error(t(key, lang))


def _scope_inputs(lang: str, prefix: str, current: pd.Series | None = None):
    c1, c2, c3 = st.columns(3)

    def value(name: str) -> str:
        found = current.get(name) if current is not None else None
        return str(found) if isinstance(found, str) else ""

    return (c1.text_input(t("field.sending_organisation", lang), value("organisation"),
                          key=f"{prefix}_org"),
            c2.text_input(t("field.municipality", lang), value("city"), key=f"{prefix}_city"),
            c3.text_input(t("field.apprentice_id", lang), value("apprentice_id"),
                          key=f"{prefix}_apprentice"))


_FLASH = "accounts_flash"


def _done(message: str) -> None:
    """Redraw the section (the listing shows the change) and say what was done."""
    st.session_state[_FLASH] = message
    st.rerun()


def _listing(lang: str) -> pd.DataFrame:
    from mobility.auth.accounts import DISABLED
    from mobility.auth.users import list_users, users_table

    users = list_users(cache.engine(), current_principal())
    with cache.engine().connect() as conn:
        hashes = dict(conn.execute(users_table.select().with_only_columns(
            users_table.c.username, users_table.c.password_hash)).all())
    users["disabled"] = [str(hashes.get(u, "")).startswith(DISABLED) for u in users["username"]]
    shown = users.assign(
        role=[t(f"role.{r}", lang) for r in users["role"]],
        created_at=[format_date(v, lang) for v in users["created_at"]],
    ).drop(columns=["display_name"])
    shown = shown.fillna("")
    st.dataframe(shown, hide_index=True, width="stretch", key="accounts_table",
                 column_config=column_config(shown, lang, labels={
                     "username": t("auth.username", lang), "role": t("accounts.role", lang),
                     "organisation": t("field.sending_organisation", lang),
                     "city": t("field.municipality", lang),
                     "demo": t("accounts.demo", lang), "disabled": t("accounts.disabled", lang),
                     "created_at": t("accounts.created", lang)}))
    return users


def _add(lang: str) -> None:
    from mobility.auth.accounts import add_account

    with st.form("account_add", clear_on_submit=True):
        st.markdown(f"**{t('accounts.add', lang)}**")
        c1, c2 = st.columns(2)
        username = c1.text_input(t("auth.username", lang), key="acc_new_name")
        role = c2.selectbox(t("accounts.role", lang), ROLES, key="acc_new_role",
                            format_func=lambda r: t(f"role.{r}", lang))
        organisation, city, apprentice = _scope_inputs(lang, "acc_new")
        c1, c2 = st.columns(2)
        password = c1.text_input(t("auth.password", lang), type="password", key="acc_new_pw")
        repeated = c2.text_input(t("accounts.repeat", lang), type="password",
                                 key="acc_new_pw2", help=t("accounts.rules", lang, n=MIN_LENGTH))
        if not st.form_submit_button(t("accounts.add_button", lang)):
            return
    problem = password_problem(password, repeated, lang)
    if problem:
        st.error(problem)
        return
    try:
        add_account(cache.engine(), username.strip().lower(), role, password,
                    actor=current_principal(), organisation=organisation, city=city,
                    apprentice_id=apprentice)
    except MobilityError as exc:
        _refusal(exc, lang)
        return
    _done(t("accounts.added", lang, user=username.strip().lower()))


def _change(lang: str, users: pd.DataFrame) -> None:
    from mobility.auth.accounts import reset_password, set_disabled, set_role

    st.markdown(f"**{t('accounts.change', lang)}**")
    name = st.selectbox(t("auth.username", lang), users["username"].tolist(), key="acc_pick")
    if not name:
        return
    row = users.set_index("username").loc[name]
    engine, actor = cache.engine(), current_principal()
    with st.form(f"account_role_{name}"):
        role = st.selectbox(t("accounts.role", lang), ROLES, index=ROLES.index(row["role"]),
                            format_func=lambda r: t(f"role.{r}", lang), key=f"acc_role_{name}")
        organisation, city, apprentice = _scope_inputs(lang, f"acc_{name}", row)
        if st.form_submit_button(t("accounts.set_role", lang)):
            try:
                set_role(engine, name, role, actor=actor, organisation=organisation,
                         city=city, apprentice_id=apprentice)
                _done(t("accounts.role_set", lang, user=name))
            except MobilityError as exc:
                _refusal(exc, lang)
    disabled = bool(row["disabled"])
    label = t("accounts.enable" if disabled else "accounts.disable", lang)
    if st.button(label, key=f"acc_toggle_{name}"):
        try:
            set_disabled(engine, name, not disabled, actor=actor)
            _done(t("accounts.enabled" if disabled else "accounts.disabled_now", lang,
                    user=name))
        except MobilityError as exc:
            _refusal(exc, lang)
    with st.form(f"account_reset_{name}", clear_on_submit=True):
        c1, c2 = st.columns(2)
        password = c1.text_input(t("accounts.new_password", lang), type="password",
                                 key=f"acc_pw_{name}", help=t("accounts.rules", lang, n=MIN_LENGTH))
        repeated = c2.text_input(t("accounts.repeat", lang), type="password",
                                 key=f"acc_pw2_{name}")
        if st.form_submit_button(t("accounts.reset", lang)):
            problem = password_problem(password, repeated, lang)
            if problem:
                st.error(problem)
            else:
                try:
                    reset_password(engine, name, password, actor=actor)
                    _done(t("accounts.reset_done", lang, user=name))
                except MobilityError as exc:
                    _refusal(exc, lang)


def _trail(lang: str) -> None:
    from mobility.auth.audit import audit_trail

    trail = audit_trail(cache.engine(), current_principal(), entity="user", limit=200)
    st.markdown(f"**{t('accounts.trail', lang)}**")
    if trail.empty:
        st.caption(t("common.none_found", lang))
        return
    actions = {a: t(f"accounts.action.{a}", lang) for a in
               ("add", "disable", "enable", "change_role", "reset_password")}
    shown = pd.DataFrame({
        t("accounts.when", lang): [f"{format_date(v, lang)} {pd.Timestamp(v):%H:%M}"
                                   for v in trail["at"]],
        t("accounts.who", lang): trail["who"],
        t("accounts.what", lang): [actions.get(a, a) for a in trail["action"]],
        t("auth.username", lang): trail["entity_id"].fillna(""),
    })
    st.dataframe(shown, hide_index=True, width="stretch", key="accounts_trail")


def accounts_section(lang: str) -> None:
    """The whole section (administrators; others get the package's refusal)."""
    if _FLASH in st.session_state:
        st.success(st.session_state.pop(_FLASH))
    try:
        users = _listing(lang)
    except MobilityError as exc:
        _refusal(exc, lang)
        return
    _add(lang)
    _change(lang, users)
    _trail(lang)
