"""The yearly sharing report and the compliance findings (art. 16–18, 24; issue 8).

Read-only actions: the input is checked (errors in both languages), then access (a refusal is
recorded in the audit trail, against the department asked about), then ``reports/service.py``
computes the report from the records.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...core.membership import Person
from ...core.messages import message
from ...mail import store as mail_store
from ...reports import build, service
from .. import loading
from ..auth.reports import reads_everything
from ..schema import reports as schema

__all__ = [
    "govshare_findings_list",
    "govshare_mail_list",
    "govshare_mail_show",
    "govshare_report_export",
    "govshare_report_list",
    "govshare_report_show",
]


def _check(action: str, context: Context, data_dict: DataDict) -> None:
    """Access to the report ``data_dict`` names (validated: ``organization`` is an id)."""
    org_id = data_dict.get("organization")
    loading.check(
        action,
        context,
        data_dict,
        object_type="report",
        object_id=f"{org_id or build.PLATFORM}:{data_dict.get('year')}",
        department=org_id,
    )


@tk.side_effect_free
@validate(schema.report_show_schema)
def govshare_report_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A department's yearly report, or the platform-wide one (art. 16–18, workflows.md).

    :param year: the year reported on (2016 to this year; local calendar years)
    :param organization: the department (id or name); leave it out for the platform-wide
        report (sharing authority and sysadmins only)
    :returns: the measures: ``entries``, ``obligations``, ``requests_received``,
        ``requests_made``, ``grants``, ``downloads``, ``feedback``, ``findings`` (with their
        evidence) and ``findings_by_kind``; the platform report adds ``departments`` (one row
        each). See docs/api.md.
    """
    _check("govshare_report_show", context, data_dict)
    return service.report(data_dict.get("organization"), data_dict["year"])


@tk.side_effect_free
@validate(schema.findings_list_schema)
def govshare_findings_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The compliance findings of a department's year, or of the whole platform (2016
    Measures art. 24; 2025 Regulations art. 39, 40 under ``regulation-2025``).

    :param year: the year
    :param organization: the department (id or name); leave it out for every department
    :param kind: only findings of this kind (catalogue_overdue, answer_late, answer_missing,
        feedback_overdue, stale_data, refused_attempts, no_return; under regulation-2025 also
        delivery_late, repeated_return, review_late, service_unfiled, no_disposal,
        no_usage_records, use_outside_grant)
    :param limit: page size (default 50, at most 1000)
    :param offset: findings to skip (default 0)
    :returns: ``{"count", "by_kind", "results", "limit", "offset"}``; each result names its
        ``article`` (``art. 39(4)``), ``article_label`` and ``kind_label`` (both languages)
        and its ``evidence`` (type, id, link)
    """
    _check("govshare_findings_list", context, data_dict)
    answer = service.findings(
        data_dict.get("organization"),
        data_dict["year"],
        kind=data_dict.get("kind"),
        limit=data_dict["limit"],
        offset=data_dict["offset"],
    )
    return {**answer, "limit": data_dict["limit"], "offset": data_dict["offset"]}


@tk.side_effect_free
@validate(schema.report_export_schema)
def govshare_report_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A report as the file its page downloads (art. 18: departments submit it each year).

    :param year: the year
    :param organization: the department (id or name); leave it out for the platform's
    :param format: ``xlsx`` or ``pdf``
    :returns: ``{"filename", "mimetype", "encoding": "base64", "content"}``
    """
    _check("govshare_report_export", context, data_dict)
    org_id = data_dict.get("organization")
    return service.export_file(org_id, data_dict["year"], data_dict["format"])


@tk.side_effect_free
@validate(schema.report_list_schema)
def govshare_report_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The reports the caller may read: the platform's (``platform``) and departments'.

    :returns: ``{"platform": bool, "departments": [{"id", "name", "title"}], "years": [...],
        "current_year"}``; years run from 2016 to this year, newest first.
    """
    tk.check_access("govshare_report_list", context, data_dict)
    person = Person.of(context)
    return service.readable(everything=reads_everything(person), officer_of=person.officer_of)


NO_SUCH_MESSAGE = message("No such message", "邮件不存在")


@tk.side_effect_free
@validate(schema.mail_list_schema)
def govshare_mail_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The mail the development SMTP sink stored (``make run``; issue 19, item 10), newest
    first. System administrators only.

    :param limit: page size (default 50, at most 1000)
    :param offset: messages to skip (default 0)
    :returns: ``{"count", "results", "limit", "offset"}``; each result has ``id``, ``time``
        (UTC, ISO 8601), ``from``, ``to``, ``subject`` and ``size`` (bytes)
    """
    tk.check_access("govshare_mail_list", context, data_dict)
    found = mail_store.messages(
        mail_store.mail_dir(), limit=data_dict["limit"], offset=data_dict["offset"]
    )
    return {**found, "limit": data_dict["limit"], "offset": data_dict["offset"]}


@tk.side_effect_free
@validate(schema.mail_show_schema)
def govshare_mail_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One message the development sink stored, with its text ``body`` and its ``headers``
    (``[[name, value], ...]``). System administrators only.

    :param id: the message's id (from ``govshare_mail_list``)
    """
    tk.check_access("govshare_mail_show", context, data_dict)
    found = mail_store.message(mail_store.mail_dir(), str(data_dict["id"]))
    if found is None:
        raise tk.ObjectNotFound(NO_SUCH_MESSAGE)
    return found
