"""Queueing notices in the caller's transaction, and emailing them once it has committed.

A notice is a row first (the dashboard reads it, the ``(user_id, key)`` constraint makes it
idempotent) and an email second: the email goes out only after the transaction that created
the row commits, so a rolled-back action never mails anyone. Sending claims the row
(``emailed_at`` set where it was NULL) before talking to the SMTP server, so two senders (an
action and a concurrent ``ckan govshare remind``) never send one notice twice; a failure puts
the claim back with the error in ``email_error`` for the next ``remind`` to retry.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..core import clock, config, membership
from ..core.roles import OFFICER_CAPACITIES
from . import language, stored, texts
from .model import notice_table

log = logging.getLogger(__name__)

_OUTBOX = "govshare_notice_outbox"
NO_ADDRESS = "no email address"


def _json(params: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(params), ensure_ascii=False, default=str))


def _user_ids(recipients: Iterable[str]) -> list[str]:
    """Active users among ``recipients`` (ids, or names), as ids, in the given order."""
    wanted = list(dict.fromkeys(r for r in recipients if r))
    if not wanted:
        return []
    rows = (
        model.Session.query(model.User.id, model.User.name)
        .filter(sa.or_(model.User.id.in_(wanted), model.User.name.in_(wanted)))
        .filter(model.User.state == "active")
        .all()
    )
    by_key = {}
    for user_id, name in rows:
        by_key[user_id] = user_id
        by_key[name] = user_id
    return list(dict.fromkeys(by_key[r] for r in wanted if r in by_key))


def notify(kind: str, *, recipients: Iterable[str], key: str, params: Mapping[str, Any]) -> int:
    """Queue one notice per recipient user id (skipping (user, key) pairs that exist: idempotent);
    returns how many were new. Rows are inserted through model.Session in the caller's
    transaction; emails go out after that transaction commits (best effort; failures are
    kept in email_error and retried by `ckan govshare remind`)."""
    if kind not in texts.KINDS:
        raise ValueError(f"unknown notice kind: {kind}")
    if not key:
        raise ValueError("a notice needs an idempotence key")
    users = _user_ids(recipients)
    if not users:
        return 0
    link = params.get("link") or None
    # Ids, codes and dates only: never a comment's or anyone's text (issue 14, item 10).
    kept = stored.kept(_json(params))
    now = clock.now()
    # Each recipient reads it in their own language (issue 19, item 7); the row keeps which.
    languages = language.of_users(users)
    rendered = {
        lang: texts.render(kind, params, lang) for lang in dict.fromkeys(languages.values())
    }
    rows = []
    for user_id in users:
        lang = languages.get(user_id, language.site_default())
        subject, body = rendered.get(lang) or texts.render(kind, params, lang)
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "user_id": user_id,
                "kind": kind,
                "key": key,
                "subject": subject,
                "body": body,
                "link": link,
                "params": {**kept, stored.LOCALE: lang},
                "created_at": now,
            }
        )
    stmt = (
        pg_insert(notice_table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(notice_table.c.id)
    )
    new = [row[0] for row in model.Session.execute(stmt)]
    if new:
        _outbox(model.Session()).extend(new)
    return len(new)


# --- who gets notices ---------------------------------------------------------------------


def officers_of(org_id: str) -> list[str]:
    """The data officers of a department: its admins and editors (they decide its requests)."""
    return membership.users_of([org_id], OFFICER_CAPACITIES)


def members_of(org_id: str) -> list[str]:
    """Every member of a department (a grant is the department's: all its users hold it)."""
    return membership.users_of([org_id])


def authority_members() -> list[str]:
    """Members of the sharing authority (``ckanext.govshare.authority_org``)."""
    name = config.authority_org()
    return membership.users_of([name]) if name else []


def conference_members() -> list[str]:
    """Members of the joint conference (``ckanext.govshare.joint_conference_org``)."""
    name = config.joint_conference_org()
    return membership.users_of([name]) if name else []


# --- email after commit -------------------------------------------------------------------


def _outbox(session: Any) -> list[str]:
    return session.info.setdefault(_OUTBOX, [])


def _after_commit(session: Any) -> None:
    ids = session.info.pop(_OUTBOX, None)
    if ids:
        try:
            deliver(ids)
        except Exception:  # best effort: `remind` retries what is left unsent
            log.exception("Sending notices failed")


def _after_rollback(session: Any) -> None:
    # Only a rollback of the whole transaction drops the rows; a savepoint's does not
    # reach here with the outer transaction still open.
    if not session.in_transaction():
        session.info.pop(_OUTBOX, None)


_listening = False


def listen() -> None:
    """Hook the after-commit sender on CKAN's session (once per process)."""
    global _listening
    if _listening:
        return
    event.listen(model.Session, "after_commit", _after_commit)
    event.listen(model.Session, "after_rollback", _after_rollback)
    _listening = True


listen()


_CLAIM = sa.text(
    "UPDATE govshare_notice n SET emailed_at = :now "
    "FROM public.user u "
    "WHERE n.id = :id AND n.emailed_at IS NULL AND u.id = n.user_id "
    "RETURNING n.kind, n.subject, n.body, n.link, n.params, u.email, u.fullname, u.name, "
    "u.state, u.plugin_extras"
)


def deliver(ids: Iterable[str]) -> dict[str, int]:
    """Email the given notices that are not emailed yet; returns counts (sent, failed, ...).

    Works on its own connection, one transaction per notice: it runs after the creating
    transaction has committed, and an SMTP failure must not undo the notice. The claim, the
    sending and its outcome share that transaction, so a claim is never left standing for an
    email that was not sent: if the database goes away before the outcome is written (a
    restart), the claim goes with it and ``remind`` sends the notice (at least once; a second
    email if the first went out just before) — rather than keeping it marked emailed for ever
    (issue 14, item 9). A concurrent sender waits on the claimed row, then finds it emailed.
    """
    from ckan.lib import mailer

    counts = {"sent": 0, "failed": 0, "no_address": 0}
    engine = model.meta.engine
    assert engine is not None, "set up with CKAN's configuration"
    for notice_id in ids:
        with engine.begin() as conn:
            row = conn.execute(_CLAIM, {"id": notice_id, "now": clock.now()}).first()
            if row is None:
                continue  # already emailed (or claimed by another sender)
            kind, subject, body, link, params, email, fullname, name, state, extras = row
            lang = stored.locale_of(params) or language.of_extras(extras)
            if not stored.locale_of(params):  # stored in both languages by an earlier version
                subject, body = texts.one_language(kind, subject, body, lang)
            error: str | None = None
            if not email or state != "active":
                error = NO_ADDRESS
                counts["no_address"] += 1
            else:
                try:
                    mailer.mail_recipient(
                        fullname or name,
                        email,
                        subject,
                        texts.email_body(body, link, lang),
                        headers={"Auto-Submitted": "auto-generated"},
                    )
                    counts["sent"] += 1
                except Exception as exc:  # MailerException, socket errors, bad config
                    error = str(exc)[:1000] or exc.__class__.__name__
                    counts["failed"] += 1
                    log.warning("Notice %s not emailed: %s", notice_id, error)
            # A failure gives the claim back (retried by `remind`); a success clears old errors.
            values = (
                {"email_error": error}
                if error is None
                else {"emailed_at": None, "email_error": error}
            )
            conn.execute(
                notice_table.update().where(notice_table.c.id == notice_id).values(**values)
            )
    return counts


def unsent(*, older_than: dt.timedelta, within: dt.timedelta) -> list[str]:
    """Notices to (re)try: not emailed, to a user with an address, created in the window.

    ``older_than`` leaves fresh notices to the after-commit sender of the action that made
    them; ``within`` stops retrying for ever (the notice stays on the dashboard).
    """
    now = clock.now()
    q = (
        sa.select(notice_table.c.id)
        .select_from(
            notice_table.join(
                model.user_table, model.user_table.c.id == notice_table.c.user_id
            )
        )
        .where(notice_table.c.emailed_at.is_(None))
        .where(notice_table.c.created_at <= now - older_than)
        .where(notice_table.c.created_at >= now - within)
        .where(model.user_table.c.state == "active")
        .where(sa.func.coalesce(model.user_table.c.email, "") != "")
        .order_by(notice_table.c.created_at)
    )
    return [row[0] for row in model.Session.execute(q)]
