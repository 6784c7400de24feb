"""Login throttling on CKAN's login page (issue 14 item 8): configuration, the refusal, the
audit events. The rule is ``throttle``.

- ``refuse_if_locked`` runs first in CKAN's ``/user/login`` (``IAuthenticator.login``): while
  the account or the address is locked, the attempt is refused before the password is checked,
  with HTTP 429, ``Retry-After`` and a message in the page's language (Chinese or English).
- ``login_failed`` (CKAN's ``failed_login`` signal) counts the failure; when it sets a lock,
  the lock is audited (``user_login_locked``, outcome ``refused``): one event per lock, not per
  refused attempt, so that an attacker hammering a locked account cannot flood the audit chain,
  whose appenders queue one at a time. The failed logins themselves are audited one by one
  (``user_login_failed``).
- ``logged_in`` (CKAN's ``logged_in`` signal) clears the account's failures.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import has_request_context, make_response

from ..audit import store
from ..core import config
from . import throttle as rules

log = logging.getLogger(__name__)

_cache: dict[tuple[Any, ...], rules.Throttle] = {}


def policy() -> rules.Policy:
    return rules.Policy(
        max_failures=config.login_max_failures(),
        max_failures_per_address=config.login_max_failures_per_address(),
        window=config.login_window(),
        lock_seconds=config.login_lock_seconds(),
    )


def throttle() -> rules.Throttle:
    """One throttle per configuration, counting in CKAN's Redis (``ckan.redis.url``)."""
    current = policy()
    url = tk.config.get("ckan.redis.url") or "memory://"
    key = (current, url)
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = rules.Throttle(
            current, url, socket_timeout=1.0, socket_connect_timeout=1.0
        )
    return found


def account_key(login: str | None) -> str | None:
    """One key per account whether it is named by user name or e-mail address; an unknown
    login is counted under its own name, so a lock tells nothing about which accounts exist."""
    login = (login or "").strip().lower()[:256]
    if not login:
        return None
    user = model.User.by_name(login) or model.User.by_email(login)
    return f"user:{user.id}" if user is not None else f"login:{login}"


def address() -> str | None:
    if not has_request_context():
        return None
    return rules.client_address(
        tk.request.remote_addr,
        tk.request.headers.get("X-Forwarded-For"),
        config.login_trusted_proxies(),
    )


def locked_message(lock: rules.Lock) -> str:
    """The login page's message, in the page's language."""
    return tk._(
        "Too many failed logins: logging in to this account or from this address is locked. "
        "Try again in {minutes} minute(s)."
    ).format(minutes=lock.minutes)


def refuse_if_locked() -> Any:
    """The login page's answer while a lock holds (``None`` lets CKAN go on)."""
    if tk.request.method != "POST":
        return None
    lock = throttle().locked(account_key(tk.request.form.get("login")), address())
    if lock is None:
        return None
    tk.h.flash_error(locked_message(lock))
    response = make_response(tk.render("user/login.html", {}), 429)
    response.headers["Retry-After"] = str(lock.retry_after)
    return response


def login_failed(sender: Any, **kwargs: Any) -> None:
    """Count a failed login (``sender`` is the login tried, never the password)."""
    login = str(sender) if sender is not None else None
    where = address()
    current = throttle()
    for lock in current.failed(account_key(login), where):
        user = None
        if lock.scope == rules.ACCOUNT and lock.key.startswith("user:"):
            user = model.User.get(lock.key.removeprefix("user:"))
        store.record(
            "user_login_locked",
            actor_name=login,
            object_type="user" if lock.scope == rules.ACCOUNT else "client_address",
            object_id=(user.id if user else login) if lock.scope == rules.ACCOUNT else where,
            outcome="refused",
            detail={
                "scope": lock.scope,
                "login": login,
                "failures": lock.failures,
                "window_seconds": current.policy.window,
                "lock_seconds": lock.retry_after,
                "shared_counts": not current.degraded,
            },
        )
        model.Session.commit()


def logged_in(sender: Any, **kwargs: Any) -> None:
    user = kwargs.get("user")
    if user is None or getattr(user, "is_anonymous", False):
        return
    throttle().succeeded(f"user:{user.id}")


def subscriptions() -> dict[Any, list[Any]]:
    from ckan.lib import signals as ckan_signals

    return {
        ckan_signals.failed_login: [login_failed],
        ckan_signals.user_logged_in: [logged_in],
    }
