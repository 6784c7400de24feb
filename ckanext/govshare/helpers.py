"""Template helpers (registered with ``toolkit.blanket.helpers``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import profiles
from .access import codes as access_codes
from .access import rules as access_rules
from .access import workflow
from .catalogue import codes
from .core import clock, membership, messages, serialise
from .core.roles import OFFICER_CAPACITIES
from .dcat import access_service
from .identity_helpers import (
    govshare_about,
    govshare_avatar,
    govshare_department_title,
    govshare_initials,
    govshare_local_image,
    govshare_operator,
    govshare_person_name,
    linked_user,
    user_image,
)

__all__ = [
    "govshare_about",  # identity (issue 19, item 1): identity_helpers.py
    "govshare_avatar",
    "govshare_department_title",
    "govshare_initials",
    "govshare_local_image",
    "govshare_operator",
    "govshare_person_name",
    "linked_user",  # chained: CKAN's, with initials instead of Gravatar
    "user_image",  # chained: CKAN's, with initials instead of Gravatar
    "govshare_access_nav",
    "govshare_access_path",
    "govshare_catalogue_stats",
    "govshare_choices",
    "govshare_entry_feedback",
    "govshare_entry_standing",
    "govshare_entry_review",
    "govshare_catalogue_review_on",
    "govshare_entry_filings",
    "govshare_grant_usage",
    "govshare_usage_choices",
    "govshare_usage_label",
    "govshare_usage_rule_on",
    "govshare_label",
    "govshare_labels",
    "govshare_live_grant",
    "govshare_message",
    "govshare_my_departments",
    "govshare_purpose_label",
    "govshare_purposes",
    "govshare_entry_return",
    "govshare_resource_mappings",
    "govshare_resource_preview",
    "govshare_report_charts",
    "govshare_report_label",
    "govshare_report_names",
    "govshare_rule_profile",
    "govshare_state_label",
    "govshare_today",
    "govshare_rule_on",
    "govshare_use_change_kind",
    "govshare_harvested_interfaces",
]


def govshare_catalogue_stats() -> dict[str, Any]:
    """Counts for the home page: entries and departments the visitor may see."""
    result = tk.get_action("package_search")(
        {}, {"rows": 0, "facet.field": ["organization"], "facet.limit": -1}
    )
    departments = result["search_facets"].get("organization", {}).get("items", [])
    return {"entries": result["count"], "departments": len(departments)}


_CHOICES = codes.FIELD_CHOICES


def govshare_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a scheming field, with labels in both languages, from ``catalogue.codes``."""
    # In a repeating block the form names the field "data_items-0-data_type".
    name = field["field_name"].rsplit("-", 1)[-1]
    choices = [{"value": c.value, "label": serialise.label(c.en, c.zh)} for c in _CHOICES[name]]
    if name == "legal_basis_type" and profiles.on("legal_basis_type"):
        # A policy no longer justifies not sharing (2025 Regulations art. 14).
        choices = [c for c in choices if c["value"] not in codes.LEGAL_BASIS_TYPES_2016_ONLY]
    if field.get("govshare_blank_choice"):
        blank = field["govshare_blank_choice"]
        choices.insert(0, {"value": "", "label": blank})
    return choices


def govshare_label(field: str, value: Any) -> str:
    """The label of a code value in the page's language (the value itself if unknown)."""
    choices = _CHOICES.get(field)
    if not choices or value in (None, ""):
        return "" if value is None else str(value)
    lang = tk.h.lang() or ""
    for choice in choices:
        if choice.value == value:
            return choice.zh if lang.startswith("zh") else choice.en
    return str(value)


def govshare_labels(field: str, values: Any) -> list[str]:
    if isinstance(values, str):
        values = [values]
    return [govshare_label(field, v) for v in values or []]


# ---------------------------------------------------------------------------- access (issue 5)


def _zh() -> bool:
    return (tk.h.lang() or "").startswith("zh")


def _user_context() -> Context:
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else ""}


def govshare_message(text: Any) -> str:
    """The page's half of a bilingual message ``"English | 中文"`` (the text itself if plain)."""
    en, zh = messages.halves(text)
    return zh if _zh() else en


def govshare_state_label(state: str | None) -> str:
    """A request state's label in the page's language."""
    en, zh = workflow.STATE_LABELS.get(state or "", (state or "", state or ""))
    return zh if _zh() else en


def govshare_rule_profile() -> dict[str, Any]:
    """The rule profile in force, for every page's footer (``govshare_rule_profile_show``;
    issue 18): its ``name``, its ``title`` and the footer's ``text`` ("Rules: …" /
    "规则：…") in the page's language."""
    found = tk.get_action("govshare_rule_profile_show")(_user_context(), {})
    title = found["title"]
    if _zh():
        return {
            "name": found["name"],
            "title": title["zh_Hans_CN"],
            "text": f"规则：{title['zh_Hans_CN']}",
        }
    return {"name": found["name"], "title": title["en"], "text": f"Rules: {title['en']}"}


def govshare_today() -> str:
    """Today's local date (deadlines and grant periods count local days), ISO format."""
    return clock.today().isoformat()


def govshare_purposes() -> list[dict[str, str]]:
    """The purposes of the request form, labelled in the page's language."""
    zh = _zh()
    return [{"value": c.value, "label": c.zh if zh else c.en} for c in access_codes.PURPOSES]


def govshare_purpose_label(value: str | None) -> str:
    for choice in govshare_purposes():
        if choice["value"] == value:
            return choice["label"]
    return value or ""


def govshare_rule_on(rule: str) -> bool:
    """Whether a rule of the profile in force is on (``govshare_rule_profile_show``)."""
    found = tk.get_action("govshare_rule_profile_show")(_user_context(), {})
    return bool(((found.get("rules") or {}).get(rule) or {}).get("on"))


def govshare_use_change_kind(value: str | None) -> str:
    """What a use change asks for (2025 art. 25), in the page's language."""
    for choice in access_codes.USE_CHANGE_KINDS:
        if choice.value == value:
            return choice.zh if _zh() else choice.en
    return value or ""


def govshare_access_path(pkg: dict[str, Any]) -> str:
    """What the entry's share type calls for: ``obtain``, ``request`` or ``negotiate``."""
    return access_rules.path_for(pkg.get("share_type"))


def govshare_my_departments(exclude: str | None = None) -> list[dict[str, Any]]:
    """The departments the user belongs to (optionally without one, e.g. the provider)."""
    context = _user_context()
    if not context.get("user"):
        return []
    orgs = tk.get_action("organization_list_for_user")(
        context, {"id": context.get("user"), "permission": "read"}
    )
    return [o for o in orgs if o["id"] != exclude]


def govshare_live_grant(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """A live grant on the entry held by one of the user's departments, if any."""
    context = _user_context()
    if not context.get("user"):
        return None
    try:
        result = tk.get_action("govshare_grant_list")(
            context,
            {"direction": "outgoing", "package_id": pkg["id"], "status": "active", "limit": 20},
        )
    except (tk.NotAuthorized, tk.ValidationError):
        return None
    return next((g for g in result["results"] if g.get("live")), None)


def govshare_entry_standing(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """Where the user's departments stand on the entry (issue 19, item 3): the open request,
    the grant, why nothing can be downloaded, whether to offer a request (``access.panel``)."""
    from .access.panel import entry_standing

    return entry_standing(pkg)


def govshare_resource_mappings(pkg: dict[str, Any]) -> list[dict[str, Any]] | None:
    """For the providing department's members and sysadmins, each resource's load status and
    data item ↔ column mapping (``govshare_resource_mapping``; issue 16, item 9); None for
    everyone else (asked with ``check_access`` first, so a page view records no refusal)."""
    context = _user_context()
    resources = pkg.get("resources") or []
    if not context.get("user") or not resources:
        return None
    if not tk.h.check_access("govshare_resource_mapping", {"resource_id": resources[0]["id"]}):
        return None
    found = []
    for res in resources:
        try:
            mapping = tk.get_action("govshare_resource_mapping")(
                context, {"resource_id": res["id"]}
            )
        except (tk.NotAuthorized, tk.ObjectNotFound):
            continue
        found.append({**mapping, "name": res.get("name") or res["id"]})
    return found


def govshare_entry_return(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The entry's data return (``govshare_return_show``; 2025 Regulations art. 24) for the
    providing department's data officers and sysadmins, when the entry has a region item or
    return was ever on; None for everyone else (``check_access`` first: no refusal recorded)."""
    context = _user_context()
    data = {"package_id": pkg.get("id") or ""}
    if not context.get("user") or not tk.h.check_access("govshare_return_update", data):
        return None
    try:
        answer = tk.get_action("govshare_return_show")(context, data)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    if not answer["region_item"] and not answer["modified"]:
        return None
    return answer


def govshare_resource_preview(res: dict[str, Any]) -> dict[str, Any] | None:
    """The first 20 rows of the resource the user may have (``govshare_data_preview``: the
    provider every column, a grant holder its granted columns and rows; issue 16, item 9), or
    ``{"errors": [...]}`` when there are none to show; None for everyone else."""
    context = _user_context()
    data = {"resource_id": res.get("id") or ""}
    if not context.get("user") or not tk.h.check_access("govshare_data_preview", data):
        return None
    try:
        return tk.get_action("govshare_data_preview")(context, data)
    except tk.ValidationError as error:
        found: Any = error.error_dict or {}
        texts = [str(m) for ms in found.values() for m in (ms if isinstance(ms, list) else [ms])]
        return {"errors": texts}
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def govshare_access_nav() -> dict[str, Any]:
    """Which access pages the user's header links to, with the inbox's open count.

    Drawn on every page a signed-in user sees, so the memberships come from one query each
    (``core.membership``) rather than ``organization_list_for_user``, which dictizes every
    department and checks permissions one by one (about 10 ms a call, two calls a page). The
    data officers of a department are its admins and editors (workflows.md), as CKAN's
    ``create_dataset`` permission has them; a sysadmin sees every page.
    """
    from flask import g

    cached = getattr(g, "_govshare_access_nav", None)
    if cached is not None:
        return cached
    nav: dict[str, Any] = {"requests": False, "inbox": None, "escalations": False}
    context = _user_context()
    user = tk.current_user if context.get("user") else None
    user_id = getattr(user, "id", None)
    if user_id:
        sysadmin = bool(getattr(user, "sysadmin", False))
        departments = set(membership.organizations_of(user_id))
        nav["requests"] = bool(departments) or sysadmin
        nav["escalations"] = sysadmin or bool(
            departments
            and departments & {membership.authority_org_id(), membership.conference_org_id()}
        )
        officer = sysadmin or bool(membership.organizations_of(user_id, OFFICER_CAPACITIES))
        # 2025 art. 20: staff draft the answers to their department's requests.
        if officer or (departments and profiles.on("internal_signoff")):
            nav["inbox"] = tk.get_action("govshare_request_list")(
                context.copy(),
                {"direction": "incoming", "status": [workflow.SUBMITTED], "limit": 1},
            )["count"]
    g._govshare_access_nav = nav
    return nav


def govshare_entry_review(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The entry page's review panel (2025 art. 16, 17): where the entry stands, its reviews
    for its department and the authority, and whether the caller may decide."""
    from .review.panel import entry_review

    return entry_review(pkg)


def govshare_catalogue_review_on() -> bool:
    """Whether the profile in force has the catalogue review (2025 art. 16): its pages' tab."""
    from .review.panel import review_on

    return review_on()


def govshare_entry_feedback(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """Open feedback on the entry the user may see, and whether they may report (art. 15)."""
    from .feedback.panel import entry_feedback

    return entry_feedback(pkg)


# ------------------------------------------- usage records, disposal, filings (issue 18)


def govshare_grant_usage(grant: dict[str, Any]) -> dict[str, Any] | None:
    """The grant page's usage-record and disposal panels (2025 art. 27, 29)."""
    from .usage.panel import grant_usage

    return grant_usage(grant)


def govshare_entry_filings(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The entry page's service-filing panel (2025 art. 27)."""
    from .usage.panel import entry_filings

    return entry_filings(pkg)


def govshare_usage_choices(kind: str) -> list[dict[str, str]]:
    """A usage form's choices (``record``, ``disposal``, ``filing``) in the page's language."""
    from .usage.panel import choices, pick

    return [{"value": c["value"], "label": pick(c["label"], _zh())} for c in choices(kind)]


def govshare_usage_rule_on(key: str) -> bool:
    """Whether the profile in force has the rule ``key`` (``usage_records``, ``disposal``,
    ``service_filing``), as ``govshare_rule_profile_show`` answers."""
    from .usage.panel import rule_on

    return rule_on(key)


def govshare_usage_label(label: dict[str, str] | None) -> str:
    """A ``{"en", "zh_Hans_CN"}`` label of an answer in the page's language."""
    from .usage.panel import pick

    return pick(label, _zh())


# ------------------------------------------------------------------- yearly reports (issue 8)


def govshare_report_label(key: str) -> str:
    """A report's label (a measure, a code, a chart's text) in the page's language."""
    from .reports import labels

    return labels.for_language(tk.h.lang())(key)


def govshare_report_charts(report: dict[str, Any]) -> list[str]:
    """The report's four charts as inline SVG, labelled in the page's language."""
    from .reports import charts, labels

    label = labels.for_language(tk.h.lang())
    return [charts.to_svg(d) for d in charts.all_charts(report, label, label)]


def govshare_report_names(report: dict[str, Any]) -> dict[str, str]:
    """Department ids to titles, for the report's findings table."""
    from .reports import export

    return export.department_names(report)


def govshare_harvested_interfaces(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The service interfaces a harvested entry's resources are offered through on the source
    platform (``access_services``, read from its DCAT export; issue 20, item 2), in the page's
    language: where the interface answers and what it serves. Applying is at the source."""
    zh = _zh()
    shown = []
    for res in pkg.get("resources") or []:
        for service in access_service.valid_stored(res.get(access_service.ACCESS_SERVICES)) or []:
            endpoints = service.get("endpoint_url") or []
            shown.append(
                {
                    "resource": res.get("name") or res.get("id"),
                    "title": (zh and service.get("title_zh")) or service.get("title"),
                    "description": (zh and service.get("description_zh"))
                    or service.get("description"),
                    "endpoints": endpoints if isinstance(endpoints, list) else [endpoints],
                    "verify_url": service.get("verify_url"),
                    "endpoint_description": service.get("endpoint_description"),
                    "data_items": service.get("data_items") or [],
                }
            )
    return shown
