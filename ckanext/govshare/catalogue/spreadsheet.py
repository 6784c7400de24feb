"""The catalogue spreadsheet departments compile: entries on one sheet, data items on another.

Row 1 of each sheet has the Chinese labels people read, row 2 the field names the platform
reads (the API's), data from row 3. Code values may be written as their values or as their
Chinese or English labels. Plain Python (openpyxl), no CKAN: ``catalogue/importer.py`` turns
rows into actions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl import Workbook, load_workbook

from ..cells import xlsx_append
from ..core.messages import message
from .codes import FIELD_CHOICES

ENTRY_SHEET = "信息资源"
ITEM_SHEET = "信息项"

# (field, Chinese label); list fields hold values separated by commas.
ENTRY_COLUMNS: list[tuple[str, str]] = [
    ("name", "网址名称"),
    ("owner_org", "信息资源提供方（部门网址名称）"),
    ("title", "信息资源名称"),
    ("notes", "信息资源摘要"),
    ("resource_code", "信息资源代码（平台分配）"),
    ("resource_category", "资源属性分类"),
    ("basic_category", "基础信息资源类别"),
    ("theme", "主题"),
    ("format_type", "信息资源格式"),
    ("share_type", "共享类型"),
    ("share_conditions", "共享条件"),
    ("legal_basis", "不予共享依据"),
    ("share_methods", "共享方式"),
    ("usage_requirements", "使用要求"),
    ("open_to_public", "开放属性"),
    ("open_conditions", "开放条件"),
    ("update_cycle", "更新周期"),
    ("release_date", "发布日期"),
    ("related_resource_codes", "关联资源代码"),
    ("project_code", "项目编码"),
    ("region_item", "区划代码信息项"),
    ("coverage_region", "覆盖区域（行政区划代码）"),
    ("key_item", "主键信息项"),
    ("watermark_item", "变更时间信息项"),
    ("tags", "标签"),
    ("maintainer", "联系人"),
    ("maintainer_email", "联系人邮箱"),
    # 2025 Regulations art. 13-15: grading, assessments, the head's approval, the basis's kind.
    ("use_scope", "共享范围和用途"),
    ("legal_basis_type", "不予共享依据类别"),
    ("data_grade", "数据分级"),
    ("personal_information", "是否含个人信息"),
    ("confidentiality_assessment", "保密风险评估结论"),
    ("pi_impact_assessment", "个人信息保护影响评估结论"),
    ("head_approved_by", "审批的部门负责人"),
    ("head_approved_on", "部门负责人审批日期"),
]
ITEM_COLUMNS: list[tuple[str, str]] = [
    ("entry", "所属信息资源（网址名称）"),
    ("name", "信息项名称"),
    ("data_type", "数据类型"),
    ("length", "长度"),
    ("description", "描述"),
    ("base_item", "基础信息项"),
    ("share_type", "共享类型"),
]
LIST_FIELDS = {"share_methods", "related_resource_codes", "tags"}
YES = {"true", "是", "yes", "1", "y"}


@dataclass
class Row:
    sheet: str
    number: int  # as the spreadsheet numbers it
    entry: dict[str, Any]


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[tuple[str, int, str, str]] = field(default_factory=list)


NO = {"false", "否", "no", "0", "n"}


def _code(field_name: str, text: str) -> str:
    if field_name == "personal_information" and text.lower() in YES | NO:
        return "yes" if text.lower() in YES else "no"
    for choice in FIELD_CHOICES.get(field_name, ()):
        if text in (choice.value, choice.zh, choice.en):
            return choice.value
    return text  # unknown: the schema's validators say what is wrong


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",") if p.strip()]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def write(entries: list[dict[str, Any]], out: IO[bytes]) -> None:
    """Writes entries (as ``package_show`` returns them) to the two-sheet workbook."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = ENTRY_SHEET
    sheet.append([label for _, label in ENTRY_COLUMNS])
    sheet.append([name for name, _ in ENTRY_COLUMNS])
    items = book.create_sheet(ITEM_SHEET)
    items.append([label for _, label in ITEM_COLUMNS])
    items.append([name for name, _ in ITEM_COLUMNS])
    # Entries' text never runs as a formula, and reads back as written (issue 14, item 6).
    for entry in entries:
        row = []
        for name, _ in ENTRY_COLUMNS:
            value = entry.get(name)
            if name == "owner_org" and entry.get("organization"):
                value = entry["organization"]["name"]
            if name == "tags":
                value = [t["name"] for t in entry.get("tags") or []]
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            row.append(value if value not in (None,) else "")
        xlsx_append(sheet, row)
        for item in entry.get("data_items") or []:
            xlsx_append(items, [entry["name"], *[item.get(n) or "" for n, _ in ITEM_COLUMNS[1:]]])
    book.save(out)


def read(source: IO[bytes]) -> Parsed:
    """Reads the workbook into entry dicts (with their data items), or says why it cannot."""
    parsed = Parsed()
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as e:
        not_xlsx = message(f"Not an .xlsx workbook: {e}", "不是有效的xlsx文件")
        parsed.problems.append(("", 0, "", not_xlsx))
        return parsed
    for sheet_name in (ENTRY_SHEET, ITEM_SHEET):
        if sheet_name not in book.sheetnames:
            missing = message(f"Sheet {sheet_name} is missing", f"缺少工作表“{sheet_name}”")
            parsed.problems.append((sheet_name, 0, "", missing))
    if parsed.problems:
        return parsed

    items: dict[str, list[dict[str, Any]]] = defaultdict(list)
    item_rows = list(book[ITEM_SHEET].iter_rows(values_only=True))
    item_keys = [_cell(c) for c in item_rows[1]] if len(item_rows) > 1 else []
    for values in item_rows[2:]:
        record = dict(zip(item_keys, (_cell(v) for v in values), strict=False))
        if not any(record.values()):
            continue
        owner = record.pop("entry", "")
        item = {k: _code(k, v) for k, v in record.items() if k and v != ""}
        if "base_item" in item:
            item["base_item"] = "true" if item["base_item"].lower() in YES else "false"
        items[owner].append(item)

    entry_rows = list(book[ENTRY_SHEET].iter_rows(values_only=True))
    keys = [_cell(c) for c in entry_rows[1]] if len(entry_rows) > 1 else []
    unknown = [k for k in keys if k and k not in dict(ENTRY_COLUMNS)]
    for key in unknown:
        unknown = message(f"Unknown column {key}", f"未知的列“{key}”")
        parsed.problems.append((ENTRY_SHEET, 2, key, unknown))
    for number, values in enumerate(entry_rows[2:], start=3):
        record = dict(zip(keys, (_cell(v) for v in values), strict=False))
        if not any(record.values()):
            continue
        entry: dict[str, Any] = {}
        for key, value in record.items():
            if not key or key in unknown or key == "resource_code":
                continue
            if key in LIST_FIELDS:
                parts = [_code(key, p) for p in _split(value)]
                entry[key] = [{"name": t} for t in parts] if key == "tags" else parts
            elif value != "":
                entry[key] = _code(key, value)
        entry["data_items"] = items.pop(entry.get("name", ""), [])
        parsed.rows.append(Row(ENTRY_SHEET, number, entry))
    for owner in items:
        parsed.problems.append(
            (
                ITEM_SHEET,
                0,
                "entry",
                (
                    f"Data items for {owner}, which is not on the {ENTRY_SHEET} sheet | "
                    f"信息项所属的“{owner}”不在“{ENTRY_SHEET}”工作表中"
                ),
            )
        )
    return parsed
