"""Validators of the catalogue schemas (registered with ``toolkit.blanket.validators``).

They adapt CKAN's navl calling convention to the plain rules in ``catalogue/``; every
message is in English and Chinese (``core.messages.message``).
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import StopOnError, missing, unflatten

from .. import profiles
from ..catalogue import credit_code, resource_code, rules
from ..catalogue.model import next_serial
from ..core import clock
from ..core.messages import message
from ..regional import rules as regions
from ..review import service as review

__all__ = [
    "govshare_max_length",
    "govshare_credit_code",
    "govshare_region_code",
    "govshare_resource_code_assign",
    "govshare_resource_code_keep",
    "govshare_provider_code",
    "govshare_catalogue_rules",
    "govshare_related_codes",
    "govshare_origin_field",
]

Key = tuple[Any, ...]

_CREDIT_CODE_PROBLEMS = {
    "length": message(
        "A unified social credit code has 18 characters",
        "统一社会信用代码为18位",
    ),
    "characters": message(
        "A unified social credit code uses digits and capital letters except I, O, Z, S and V",
        "统一社会信用代码由数字和除I、O、Z、S、V以外的大写字母组成",
    ),
    "check": message(
        "The last character (check character, GB 32100) does not match: check the code",
        "校验码（第18位，GB 32100）不正确，请核对代码",
    ),
}
NO_PROVIDER_CODE = message(
    "The providing department has no unified social credit code yet: its organization admin "
    "sets provider_code on the department first",
    "信息资源提供方尚未填写统一社会信用代码，请部门管理员先在部门信息中填写",
)
CODE_IS_ASSIGNED = message(
    "resource_code is assigned by the platform when the entry is created; leave it out",
    "信息资源代码由平台在创建时分配，请勿填写",
)
CODE_IS_IMMUTABLE = message(
    "resource_code never changes once assigned (it may be cited elsewhere); leave it as it is",
    "信息资源代码一经分配不得更改",
)


def govshare_max_length(length: int | str) -> Any:
    """``govshare_max_length(128)`` in a schema: at most that many characters."""
    limit = int(length)

    def validator(value: Any, context: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise tk.Invalid(message(f"At most {limit} characters", f"不得超过{limit}个字符"))
        return value

    return validator


def govshare_credit_code(value: Any, context: Any) -> Any:
    if value in (missing, None, ""):
        return value
    code = str(value).strip().upper()
    problem = credit_code.problem(code)
    if problem:
        raise tk.Invalid(_CREDIT_CODE_PROBLEMS[problem])
    return code


def govshare_region_code(value: Any, context: Any) -> Any:
    """An administrative division code (GB/T 2260, six digits; issue 17, item 4)."""
    if value in (missing, None, ""):
        return value
    code = str(value).strip()
    problem = regions.region_problem(code)
    if problem:
        raise tk.Invalid(problem)
    return code


def _provider_extra(data: dict[Key, Any], name: str) -> str | None:
    owner = data.get(("owner_org",))
    group = model.Group.get(owner) if owner not in (None, missing, "") else None
    if group is None:
        return None
    extras = group.extras or {}  # pyright: ignore[reportAttributeAccessIssue] - not declared on 2.12's Group
    return extras.get(name) or None


def _provider_code(data: dict[Key, Any]) -> str | None:
    return _provider_extra(data, "provider_code")


def _current_package(data: dict[Key, Any], context: Any) -> model.Package | None:
    package = context.get("package")
    if package is not None:
        return package
    for key in (("id",), ("name",)):
        ref = data.get(key)
        if ref not in (None, missing, ""):
            found = model.Package.get(ref)
            if found is not None:
                return found
    return None


def _trusted(context: Any) -> bool:
    """The platform itself writes: a harvester (``ignore_auth``) or a sysadmin."""
    if context.get("ignore_auth"):
        return True
    user = model.User.get(context.get("user") or "")
    return bool(user is not None and user.sysadmin)


def _harvested(data: dict[Key, Any], context: Any) -> bool:
    """A harvester writes an entry of another platform: its codes are the source platform's,
    kept as they came (docs/federation.md; ``harvest/origin.py``)."""
    value = data.get(("source_platform_url",))
    return value not in (None, missing, "") and _trusted(context)


def _stored_harvested(data: dict[Key, Any], context: Any) -> model.Package | None:
    """The stored entry, when it came from another platform (a local edit of it)."""
    package = _current_package(data, context)
    if package is not None and (package.extras or {}).get("source_platform_url"):
        return package
    return None


def _entry(data: dict[Key, Any]) -> dict[str, Any]:
    entry = unflatten({k: v for k, v in data.items() if v is not missing})
    for field in ("share_methods", "related_resource_codes"):
        value = entry.get(field)
        if isinstance(value, str):
            try:
                entry[field] = json.loads(value) if value.startswith("[") else [value]
            except ValueError:
                entry[field] = [value]
    return entry


def govshare_resource_code_assign(
    key: Key, data: dict[Key, Any], errors: Any, context: Any
) -> None:
    """On creation: the platform gives the entry its code (art. 7; catalogue guide).

    A harvested entry keeps the code its source platform gave it."""
    if data.get(key) not in (None, missing, "") and _harvested(data, context):
        return
    if data.get(key) not in (None, missing, ""):
        errors[key].append(CODE_IS_ASSIGNED)
        return
    provider = _provider_code(data)
    if provider is None:
        errors[("owner_org",)].append(NO_PROVIDER_CODE)
        return
    entry = _entry(data)
    data[key] = resource_code.resource_code(entry, provider, next_serial(model.Session, provider))


def govshare_resource_code_keep(key: Key, data: dict[Key, Any], errors: Any, context: Any) -> None:
    """On update and patch: the stored code stays; trying to change it is refused.

    A harvested entry takes the code its source platform sends."""
    if data.get(key) not in (None, missing, "") and _harvested(data, context):
        return
    package = _current_package(data, context)
    stored = (package.extras or {}).get("resource_code") if package is not None else None
    submitted = data.get(key)
    if stored:
        if submitted not in (None, missing, "") and submitted != stored:
            errors[key].append(CODE_IS_IMMUTABLE)
        data[key] = stored
        return
    # An entry from before codes existed gets its code at its next update.
    data[key] = missing
    govshare_resource_code_assign(key, data, errors, context)


def govshare_provider_code(key: Key, data: dict[Key, Any], errors: Any, context: Any) -> None:
    """The entry's provider code is its department's: it is never typed in.

    A harvested entry keeps the source's: its department is not an organization here."""
    if data.get(key) not in (None, missing, "") and _harvested(data, context):
        return
    harvested = _stored_harvested(data, context)
    if harvested is not None:
        data[key] = (harvested.extras or {}).get("provider_code") or missing
        return
    data[key] = _provider_code(data) or missing


def govshare_related_codes(key: Key, data: dict[Key, Any], errors: Any, context: Any) -> None:
    """Each related code must name an entry of this catalogue; a harvested entry's codes name
    entries of its source platform and are kept as they came."""
    value = data.get(key)
    if value in (missing, None, "", []):
        return
    codes = (
        value
        if isinstance(value, list)
        else json.loads(value)
        if str(value).startswith("[")
        else [c.strip() for c in str(value).replace("，", ",").split(",") if c.strip()]
    )
    if _harvested(data, context) or _stored_harvested(data, context) is not None:
        data[key] = json.dumps(codes)
        return
    search = tk.get_action("package_search")
    unknown = []
    for code in codes:
        found = search(
            {"ignore_auth": True},
            {"fq": f'resource_code:"{code}"', "rows": 0, "include_private": True},
        )
        if not found["count"]:
            unknown.append(code)
    if unknown:
        errors[key].append(
            message(
                "No catalogue entry has the resource code " + ", ".join(unknown),
                "以下信息资源代码不存在：" + "，".join(unknown),
            )
        )
        return
    data[key] = json.dumps(codes)


def govshare_origin_field(key: Key, data: dict[Key, Any], errors: Any, context: Any) -> None:
    """Where a harvested entry came from (``harvest/origin.py``): written by the platform's
    harvesters (or a sysadmin); any other edit keeps the stored value."""
    value = data.get(key)
    if value not in (None, missing, "") and _trusted(context):
        if key[-1].endswith("_url") and not str(value).startswith(("http://", "https://")):
            errors[key].append(message("An http(s) address", "须为 http(s) 地址"))
        data[key] = str(value)
        return
    package = _current_package(data, context)
    stored = (package.extras or {}).get(key[-1]) if package is not None else None
    if not stored:
        data.pop(key, None)
        raise StopOnError
    data[key] = stored


def _published(data: dict[Key, Any], context: Any) -> bool:
    """Whether the entry must state what publication needs (2025 art. 13): it is (or
    becomes) active — its state given, else as stored, else active (``package_create``'s
    default) — and it is new, published now, or was graded already. A draft may lack it; so
    may an entry published before the rule and never graded, while a resource, a data load
    or another edit touches it (its catalogue changes still wait for the authority's review)."""
    package = _current_package(data, context)
    state = data.get(("state",))
    if state in (None, missing, ""):
        state = package.state if package is not None else "active"
    if str(state) != "active":
        return False
    if package is None or package.state != "active":
        return True
    return bool((package.extras or {}).get("data_grade"))


def govshare_catalogue_rules(key: Key, data: dict[Key, Any], errors: Any, context: Any) -> None:
    """The share-type rules over the whole entry (``after_validators`` of the schema)."""
    entry = _entry(data)
    # The entry as stored, compared after the update: a change of its catalogue content
    # waits for the authority's review (2025 Regulations art. 16, 17).
    review.remember(context.get("package"))
    found = rules.check_entry(entry)
    if not _harvested(data, context) and _stored_harvested(data, context) is None:
        # Grading, assessments, approval, the basis's kind (2025 Regulations art. 13-15).
        for field, messages in rules.check_grading(
            entry,
            grading=profiles.on("catalogue_grading"),
            basis_kinds=profiles.on("legal_basis_type"),
            published=_published(data, context),
            today=clock.today(),
        ).items():
            found.setdefault(field, []).extend(messages)
    if not _harvested(data, context):
        # The coverage within the provider's region (2025 Regulations art. 24; issue 17).
        coverage = data.get(("coverage_region",))
        problem = regions.coverage_problem(
            None if coverage is missing else coverage, _provider_extra(data, "region_code")
        )
        if problem:
            found.setdefault("coverage_region", []).append(problem)
    for field, messages in found.items():
        target = errors.setdefault(field if isinstance(field, tuple) else (field,), [])
        if not target:  # a field already refused (e.g. required) needs no second message
            target.extend(messages)
