"""The catalogue's share-type rules (art. 9, 10), checked on every create, update and patch.

``check_entry`` looks at a catalogue entry as a whole and answers field errors, each message
in English and Chinese and saying what to do. The schema's validators, the web form and the
spreadsheet import all call it, so a rule lives here once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..core.messages import message
from . import columns
from .codes import (
    DATA_GRADES,
    LEGAL_BASIS_TYPES,
    LEGAL_BASIS_TYPES_2016_ONLY,
    PERSONAL_INFORMATION,
    SHARE_STRICTNESS,
)

NEEDS_LEGAL_BASIS = message(
    "A not-shared entry needs the law, administrative regulation or Party Central Committee / "
    "State Council policy that forbids sharing it (art. 10(1)): cite it in legal_basis",
    "不予共享的信息资源须在“不予共享依据”中注明法律、行政法规或党中央、国务院政策依据（第十条第一款）",
)
NEEDS_CONDITIONS = message(
    "A conditionally shared entry needs its sharing conditions: say who may receive it and on "
    "what terms in share_conditions (art. 9)",
    "有条件共享的信息资源须在“共享条件”中写明共享对象和条件（第九条）",
)
BASIC_CANNOT_BE_NOT_SHARED = message(
    "A basic information resource must be shared with every department (art. 10(2)): choose "
    "unconditional or conditional sharing",
    "基础信息资源须向各部门共享（第十条第二款），请选择无条件共享或有条件共享",
)
NOT_SHARED_IS_NOT_OPEN = message(
    "What is not shared with departments cannot be open to the public: set open_to_public to "
    "not_open",
    "不予共享的信息资源不得向社会开放，开放属性须为“不予开放”",
)
NEEDS_OPEN_CONDITIONS = message(
    "A conditionally open entry needs its opening conditions in open_conditions",
    "有条件开放的信息资源须填写“开放条件”",
)
NEEDS_BASIC_CATEGORY = message(
    "A basic information resource needs its basic category (population, legal entities, …)",
    "基础信息资源须选择基础信息资源类别（人口、法人单位等）",
)
NEEDS_THEME = message(
    "A thematic information resource needs its theme",
    "主题信息资源须选择主题",
)
NEEDS_DATA_ITEMS = message(
    "Describe at least one data item (name and data type)",
    "请至少描述一个信息项（名称和数据类型）",
)
NEEDS_SHARE_METHODS = message(
    "Choose at least one share method",
    "请至少选择一种共享方式",
)


def _item_label(index: int, item: Mapping[str, Any]) -> str:
    name = str(item.get("name") or "").strip()
    return f"#{index + 1} {name}".strip()


def item_too_loose(index: int, item: Mapping[str, Any], entry_share: str) -> str:
    label = _item_label(index, item)
    return message(
        f"Data item {label}: its share type may be stricter than the entry's ({entry_share}), "
        "never looser — choose the entry's share type or a stricter one",
        f"信息项 {label}：共享类型只能比信息资源的共享类型（{entry_share}）更严格，不能更宽松",
    )


def base_item_not_unconditional(index: int, item: Mapping[str, Any]) -> str:
    label = _item_label(index, item)
    return message(
        f"Data item {label} is a base item of a basic information resource: base items are "
        "always shared unconditionally (art. 10(2)) — clear its share type or choose "
        "unconditional",
        f"信息项 {label} 是基础信息资源的基础信息项，须无条件共享（第十条第二款）",
    )


def item_needs_name(index: int) -> str:
    return message(
        f"Data item #{index + 1}: give it a name",
        f"第 {index + 1} 个信息项：请填写名称",
    )


def column_invalid(index: int, item: Mapping[str, Any], problem: str) -> str:
    label = _item_label(index, item)
    en, zh = {
        columns.TOO_LONG: (
            f"at most {columns.MAX_COLUMN_BYTES} bytes (21 Chinese characters)",
            f"不得超过{columns.MAX_COLUMN_BYTES}字节（21个汉字）",
        ),
        columns.RESERVED: ("may not start with _", "不得以 _ 开头"),
        columns.QUOTE: ('may not hold " or %', '不得含有 " 或 %'),
        columns.BLANK: ("may not be blank", "不得为空"),
    }[problem]
    return message(
        f"Data item {label}: its DataStore column name {en}",
        f"信息项 {label}：数据表列名{zh}",
    )


def column_taken(index: int, item: Mapping[str, Any], column: str) -> str:
    label = _item_label(index, item)
    return message(
        f"Data item {label}: column {column} already holds another data item; each data item "
        "needs a column of its own",
        f"信息项 {label}：列 {column} 已对应其他信息项，每个信息项须对应不同的列",
    )


#: Entry fields that name one of the entry's data items (issue 17): the row's division code
#: (data return, 2025 Regulations art. 24), its key and its change watermark (batch exchange,
#: art. 22).
ITEM_FIELDS: dict[str, tuple[str, str]] = {
    "region_item": ("region data item", "区划代码信息项"),
    "key_item": ("key data item", "主键信息项"),
    "watermark_item": ("change watermark data item", "变更时间信息项"),
}


def not_an_item(field: str, value: str, names: list[str]) -> str:
    en, zh = ITEM_FIELDS[field]
    return message(
        f"The {en} must name one of the entry's data items; {value} is none of: "
        f"{', '.join(names) or '-'}",
        f"{zh}须为本信息资源的信息项之一，“{value}”不在其中：{'、'.join(names) or '无'}",
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


ErrorKey = str | tuple[str, int, str]


def check_entry(entry: Mapping[str, Any]) -> dict[ErrorKey, list[str]]:
    """Field errors of a catalogue entry; empty when every rule holds.

    Keys are field names, or ``("data_items", index, subfield)`` for one data item's field.
    (The coverage region against the provider's region is ``regional.rules.coverage_problem``:
    the department is not part of the entry.)
    """
    errors: dict[ErrorKey, list[str]] = {}

    def add(field: ErrorKey, msg: str) -> None:
        errors.setdefault(field, []).append(msg)

    share = entry.get("share_type") or "unconditional"
    category = entry.get("resource_category")
    if share == "not_shared" and _blank(entry.get("legal_basis")):
        add("legal_basis", NEEDS_LEGAL_BASIS)
    if share == "conditional" and _blank(entry.get("share_conditions")):
        add("share_conditions", NEEDS_CONDITIONS)
    if category == "basic" and share == "not_shared":
        add("share_type", BASIC_CANNOT_BE_NOT_SHARED)
    if category == "basic" and _blank(entry.get("basic_category")):
        add("basic_category", NEEDS_BASIC_CATEGORY)
    if category == "thematic" and _blank(entry.get("theme")):
        add("theme", NEEDS_THEME)
    if share == "not_shared" and entry.get("open_to_public") not in (None, "", "not_open"):
        add("open_to_public", NOT_SHARED_IS_NOT_OPEN)
    if entry.get("open_to_public") == "conditional_open" and _blank(entry.get("open_conditions")):
        add("open_conditions", NEEDS_OPEN_CONDITIONS)
    if not entry.get("share_methods"):
        add("share_methods", NEEDS_SHARE_METHODS)

    items = entry.get("data_items") or []
    if not items:
        add("data_items", NEEDS_DATA_ITEMS)
    seen_columns: set[str] = set()
    for index, item in enumerate(items):
        if _blank(item.get("name")):
            add(("data_items", index, "name"), item_needs_name(index))
        else:
            column = columns.item_column(item)
            problem = columns.column_problem(column)
            if problem and not _blank(item.get("column")):
                add(("data_items", index, "column"), column_invalid(index, item, problem))
            elif column in seen_columns:
                add(("data_items", index, "column"), column_taken(index, item, column))
            seen_columns.add(column)
        item_share = item.get("share_type")
        if _blank(item_share):
            continue
        if category == "basic" and _truthy(item.get("base_item")):
            if item_share != "unconditional":
                add(("data_items", index, "share_type"), base_item_not_unconditional(index, item))
        elif SHARE_STRICTNESS.get(item_share, 0) < SHARE_STRICTNESS.get(share, 0):
            add(("data_items", index, "share_type"), item_too_loose(index, item, share))
    names = [str(item.get("name")).strip() for item in items if not _blank(item.get("name"))]
    for field in ITEM_FIELDS:
        value = entry.get(field)
        if not _blank(value) and str(value).strip() not in names:
            add(field, not_an_item(field, str(value).strip(), names))
    return errors


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


# --- 2025 Regulations art. 13-15: grading, assessments, approval, the basis's kind ---------

#: Fields an active entry must fill under ``catalogue_grading`` (art. 13), with their labels.
GRADING_FIELDS: dict[str, tuple[str, str]] = {
    "data_grade": ("its data grade (general, important or core)", "数据分级（一般、重要或核心）"),
    "personal_information": (
        "whether it holds personal information",
        "是否含个人信息",
    ),
    "confidentiality_assessment": (
        "the conclusion of its confidentiality-risk assessment",
        "保密风险评估结论",
    ),
    "head_approved_by": (
        "the department head who approved it",
        "审批的部门负责人",
    ),
    "head_approved_on": ("the date of the head's approval", "部门负责人审批日期"),
}


def needs_field(field: str) -> str:
    en, zh = GRADING_FIELDS[field]
    return message(
        f"Before an entry is published, give {en} (2025 Regulations art. 13); a draft may lack it",
        f"信息资源发布前须填写{zh}（《政务数据共享条例》第十三条），草稿可暂不填写",
    )


NEEDS_PI_ASSESSMENT = message(
    "An entry holding personal information needs the conclusion of its personal-information "
    "impact assessment before it is published (2025 Regulations art. 13)",
    "含个人信息的信息资源发布前须填写个人信息保护影响评估结论（《政务数据共享条例》第十三条）",
)
NEEDS_USE_SCOPE = message(
    "A conditionally shared entry states the scope and the use of its data in use_scope "
    "(2025 Regulations art. 15)",
    "有条件共享的信息资源须在“共享范围和用途”中写明共享范围和用途（《政务数据共享条例》第十五条）",
)
NEEDS_LEGAL_BASIS_TYPE = message(
    "A not-shared entry names the kind of its legal basis: law, administrative_regulation or "
    "state_council_decision (2025 Regulations art. 14)",
    "不予共享的信息资源须注明依据类别：法律、行政法规或国务院决定（《政务数据共享条例》第十四条）",
)
POLICY_NO_LONGER_SUFFICES = message(
    "Under the 2025 Regulations only a law, an administrative regulation or a State Council "
    "decision justifies not sharing (art. 14): a policy no longer suffices",
    "依据《政务数据共享条例》第十四条，不予共享须有法律、行政法规或国务院决定依据，政策文件不再适用",
)
APPROVAL_IN_FUTURE = message(
    "The head's approval date cannot be later than today",
    "部门负责人审批日期不得晚于今天",
)
_UNKNOWN = {
    "data_grade": (
        "Unknown data grade: general, important or core",
        "数据分级无效：一般、重要或核心",
    ),
    "personal_information": ("Personal information is yes or no", "是否含个人信息须为“是”或“否”"),
}


def unknown_code(field: str) -> str:
    return message(*_UNKNOWN[field])


UNKNOWN_LEGAL_BASIS_TYPE = message(
    "Unknown legal basis kind: law, administrative_regulation, state_council_decision or policy",
    "依据类别无效：法律、行政法规、国务院决定或政策",
)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def check_grading(
    entry: Mapping[str, Any],
    *,
    grading: bool,
    basis_kinds: bool,
    published: bool,
    today: dt.date,
) -> dict[ErrorKey, list[str]]:
    """Field errors of the 2025 catalogue content (art. 13-15); empty when they hold.

    ``grading`` (rule ``catalogue_grading``): a ``published`` (active) entry gives its grade,
    personal information, the confidentiality assessment, the head's approval (who, when),
    the personal-information impact assessment when it holds personal information, and, when
    conditional, its scope and use. ``basis_kinds`` (rule ``legal_basis_type``): a published
    not-shared entry names the kind of its basis, and a policy is refused whatever the state.
    Without either rule every field is optional and the 2016 kind ``policy`` allowed.
    """
    errors: dict[ErrorKey, list[str]] = {}

    def add(field: str, msg: str) -> None:
        errors.setdefault(field, []).append(msg)

    share = entry.get("share_type") or "unconditional"
    for field, allowed in (
        ("data_grade", DATA_GRADES),
        ("personal_information", PERSONAL_INFORMATION),
    ):
        value = entry.get(field)
        if not _blank(value) and value not in {c.value for c in allowed}:
            add(field, unknown_code(field))
    if grading and published:
        for field in GRADING_FIELDS:
            if _blank(entry.get(field)):
                add(field, needs_field(field))
        if entry.get("personal_information") == "yes" and _blank(entry.get("pi_impact_assessment")):
            add("pi_impact_assessment", NEEDS_PI_ASSESSMENT)
        if share == "conditional" and _blank(entry.get("use_scope")):
            add("use_scope", NEEDS_USE_SCOPE)
    kind = entry.get("legal_basis_type")
    if not _blank(kind):
        if kind not in {c.value for c in LEGAL_BASIS_TYPES}:
            add("legal_basis_type", UNKNOWN_LEGAL_BASIS_TYPE)
        elif basis_kinds and kind in LEGAL_BASIS_TYPES_2016_ONLY:
            add("legal_basis_type", POLICY_NO_LONGER_SUFFICES)
    elif basis_kinds and published and share == "not_shared":
        add("legal_basis_type", NEEDS_LEGAL_BASIS_TYPE)
    approved_on = entry.get("head_approved_on")
    if not _blank(approved_on):
        day = _as_date(approved_on)
        if day is not None and day > today:
            add("head_approved_on", APPROVAL_IN_FUTURE)
    return errors
