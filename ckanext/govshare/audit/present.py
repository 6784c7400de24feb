"""The audit trail as people read it (issue 19 item 5): local time, event labels in both
languages, people's full names, departments' titles, the object named and linked, and a
short summary of each event instead of its JSON.

What is hashed (``chain.FIELDS``) is untouched: these are added keys of the answers and the
reading columns of the CSV, in front of the hashed columns (``trail.export_csv``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..core import clock
from ..core.serialise import label

__all__ = ["CSV_HEADERS", "Reading", "action_label", "csv_rows", "local_time", "present", "summary"]

Texts = tuple[str, str]


@dataclass(frozen=True)
class Reading:
    """What the trail cannot know without importing the domains that write to it (they import
    the trail): the labels of request states, and the entry each request or grant is about
    (object type -> ids -> entry id). The audit actions pass them in."""

    states: Mapping[str, Texts] = field(default_factory=dict)
    entries_of: Mapping[str, Callable[[Iterable[str]], dict[str, str]]] = field(
        default_factory=dict
    )


#: The platform's own events and the ones people look for most, by action code.
ACTIONS: dict[str, Texts] = {
    "user_login": ("Logged in", "登录"),
    "user_login_failed": ("Failed login", "登录失败"),
    "user_login_locked": ("Login locked", "登录已锁定"),
    "api_token_create": ("Created an API token", "创建 API 令牌"),
    "api_token_revoke": ("Revoked an API token", "撤销 API 令牌"),
    "govshare_request_submit": ("Submitted a request", "提交共享申请"),
    "govshare_request_approve": ("Approved a request", "同意共享申请"),
    "govshare_request_reject": ("Rejected a request", "拒绝共享申请"),
    "govshare_request_return": ("Returned a request for more information", "退回申请补充材料"),
    "govshare_request_resubmit": ("Resubmitted a request", "重新提交申请"),
    "govshare_request_withdraw": ("Withdrew a request", "撤回申请"),
    "govshare_request_expire": ("A request expired", "申请失效"),
    "govshare_request_negotiate": ("Opened a negotiation", "发起协商"),
    "govshare_request_escalate": ("Escalated a dispute", "提请协调争议"),
    "govshare_request_grant": ("Granted sharing in a dispute", "争议决定：准予共享"),
    "govshare_request_deny": ("Denied sharing in a dispute", "争议决定：不予共享"),
    "govshare_request_comment": ("Wrote in a request's thread", "在申请中留言"),
    "govshare_request_signoff": ("Signed off", "负责人审核通过"),
    "govshare_request_signoff_return": ("Returned by the department head", "负责人退回修改"),
    "govshare_request_draft_answer": ("Drafted an answer", "拟定答复"),
    "govshare_request_extend": ("Asked for more time", "申请延长答复期限"),
    "govshare_request_extension_decide": ("Decided an extension", "决定延期申请"),
    "govshare_request_overdue": ("A request became overdue", "申请已逾期未答复"),
    "govshare_request_decide": ("Answered a request", "答复共享申请"),
    "govshare_escalation_decide": ("Decided a dispute", "决定争议"),
    "govshare_grant_create": ("Granted access", "授予共享权限"),
    "govshare_grant_revoke": ("Revoked a grant", "撤销授权"),
    "govshare_grant_expire": ("A grant expired", "授权到期"),
    "govshare_grant_suspend": ("Suspended a grant", "暂停授权"),
    "govshare_grant_resume": ("Resumed a grant", "恢复授权"),
    "govshare_grant_terminate": ("Terminated a grant", "终止授权"),
    "govshare_grant_deliver": ("Delivered the data of a grant", "交付授权数据"),
    "govshare_grant_delivery_overdue": ("A grant's delivery became overdue", "授权数据交付逾期"),
    "govshare_download": ("Downloaded shared data", "下载共享数据"),
    "govshare_data_preview": ("Previewed shared data", "预览共享数据"),
    "ckan_resource_download": ("Downloaded a resource", "下载资源"),
    "govshare_token_create": ("Created a download token", "创建下载令牌"),
    "govshare_token_revoke": ("Revoked a download token", "撤销下载令牌"),
    "govshare_token_rotate": ("Rotated a download token", "更换下载令牌"),
    "govshare_feedback_create": ("Reported a data error", "反馈数据错误"),
    "govshare_feedback_resolve": ("Resolved data-error feedback", "处理数据错误反馈"),
    "govshare_feedback_overdue": ("Feedback became overdue", "数据错误反馈逾期"),
    "govshare_obligation_create": ("Set an obligation", "设定义务"),
    "govshare_obligation_discharge": ("Discharged an obligation", "履行义务"),
    "govshare_obligation_extend": ("Asked to extend an obligation", "申请延长义务期限"),
    "govshare_obligation_extension_decide": ("Decided an obligation's extension", "决定义务延期"),
    "govshare_obligation_overdue": ("An obligation became overdue", "义务逾期"),
    "govshare_catalogue_review": ("Reviewed a catalogue entry", "审核目录"),
    "govshare_catalogue_review_submit": ("Submitted an entry for review", "提交目录审核"),
    "govshare_catalogue_review_overdue": ("A catalogue review became overdue", "目录审核逾期"),
    "govshare_calendar_load": ("Loaded the working-day calendar", "导入工作日历"),
    "govshare_calendar_day_set": ("Set a calendar day", "设置日历日期"),
    "govshare_calendar_day_delete": ("Removed a calendar day", "删除日历日期"),
    "govshare_exchange_run": ("Ran a data exchange", "执行数据交换"),
    "govshare_exchange_run_queue": ("Queued a data exchange", "排队数据交换"),
    "govshare_exchange_target_rekey": ("Renewed an exchange target's key", "更换交换目标密钥"),
    "govshare_audit_list": ("Read the audit trail", "查看审计日志"),
    "govshare_audit_export": ("Exported the audit trail", "导出审计日志"),
    "govshare_access_obtain": ("Obtained unconditional data", "获取无条件共享数据"),
    "govshare_download_authorize": ("Authorised a download", "授权下载"),
    "govshare_ckan_download_authorize": ("Authorised a download", "授权下载"),
    "govshare_bulk_prepare": ("Prepared a bulk download", "准备批量下载"),
    "govshare_data_query": ("Queried shared data", "查询共享数据"),
    "govshare_data_verify": ("Verified data", "核验数据"),
    "govshare_grant_dispose": ("Recorded the disposal of data", "登记数据处置"),
    "govshare_use_change_request": ("Asked to change the use of data", "申请变更数据用途"),
    "govshare_notice_mark_read": ("Marked notices read", "标记通知已读"),
    "govshare_request_attachment": ("Opened a request's attachment", "查看申请附件"),
    "govshare_feedback_attachment": ("Opened a feedback attachment", "查看反馈附件"),
    "govshare_entry_capacity": ("Read an entry's service capacity", "查看信息资源服务能力"),
    "govshare_resource_mapping": ("Read a resource mapping", "查看资源映射"),
    "govshare_return_coverage": ("Read the data return coverage", "查看数据回流覆盖情况"),
    "govshare_download_count": ("Counted downloads", "统计下载次数"),
    "govshare_catalogue_import": ("Imported catalogue entries", "导入目录"),
    "govshare_catalogue_export": ("Exported the catalogue", "导出目录"),
    "member_create": ("Added a member", "添加成员"),
    "member_update": ("Changed a member's role", "变更成员角色"),
    "member_delete": ("Removed a member", "移除成员"),
    # CKAN's own state changes without a verb and object of ours.
    "bulk_update_delete": ("Deleted entries in bulk", "批量删除信息资源"),
    "bulk_update_private": ("Made entries private in bulk", "批量设为不公开"),
    "bulk_update_public": ("Made entries public in bulk", "批量设为公开"),
    "config_option_update": ("Changed the site settings", "修改站点设置"),
    "follow_dataset": ("Followed an entry", "关注信息资源"),
    "follow_group": ("Followed a group", "关注分组"),
    "follow_user": ("Followed a user", "关注用户"),
    "unfollow_dataset": ("Stopped following an entry", "取消关注信息资源"),
    "unfollow_group": ("Stopped following a group", "取消关注分组"),
    "unfollow_user": ("Stopped following a user", "取消关注用户"),
    "job_cancel": ("Cancelled a background job", "取消后台任务"),
    "job_clear": ("Cleared background jobs", "清空后台任务"),
    "package_collaborator_create": ("Added a collaborator to an entry", "添加信息资源协作者"),
    "package_collaborator_delete": ("Removed a collaborator of an entry", "移除信息资源协作者"),
    "package_create_default_resource_views": (
        "Created an entry's default views",
        "创建信息资源默认视图",
    ),
    "resource_create_default_resource_views": (
        "Created a resource's default views",
        "创建资源默认视图",
    ),
    "resource_view_clear": ("Cleared resource views", "清除资源视图"),
    "package_owner_org_update": ("Moved an entry to another department", "变更信息资源所属部门"),
    "package_relationship_create": ("Related two entries", "关联信息资源"),
    "package_relationship_update": ("Changed a relation of entries", "修改信息资源关联"),
    "package_relationship_delete": ("Removed a relation of entries", "删除信息资源关联"),
    "package_resource_reorder": ("Reordered an entry's resources", "调整资源顺序"),
    "package_revise": ("Revised an entry", "修订信息资源"),
    "task_status_update": ("Updated a task's status", "更新任务状态"),
    "task_status_update_many": ("Updated tasks' status", "批量更新任务状态"),
    "task_status_delete": ("Deleted a task's status", "删除任务状态"),
    "term_translation_update": ("Updated a term's translation", "更新术语翻译"),
    "term_translation_update_many": ("Updated terms' translations", "批量更新术语翻译"),
    "user_invite": ("Invited a user", "邀请用户"),
}

#: Objects, as codes name them (``package_update``, ``govshare_grant_show``, object types).
OBJECTS: dict[str, Texts] = {
    "package": ("entry", "信息资源"),
    "dataset": ("entry", "信息资源"),
    "resource": ("resource", "资源"),
    "resource_view": ("resource view", "资源视图"),
    "organization": ("department", "部门"),
    "organization_member": ("department member", "部门成员"),
    "group": ("group", "分组"),
    "group_member": ("group member", "分组成员"),
    "member": ("member", "成员"),
    "user": ("user", "用户"),
    "api_token": ("API token", "API 令牌"),
    "access_request": ("request", "共享申请"),
    "request": ("request", "共享申请"),
    "negotiation": ("negotiation", "协商"),
    "escalation": ("dispute", "争议"),
    "grant": ("grant", "授权"),
    "token": ("download token", "下载令牌"),
    "download_token": ("download token", "下载令牌"),
    "feedback": ("data-error feedback", "数据错误反馈"),
    "obligation": ("obligation", "义务"),
    "catalogue_review": ("catalogue review", "目录审核"),
    "calendar": ("calendar", "工作日历"),
    "calendar_day": ("calendar day", "日历日期"),
    "exchange_target": ("exchange target", "交换目标"),
    "exchange_run": ("data exchange", "数据交换"),
    "audit_trail": ("audit trail", "审计日志"),
    "vocabulary": ("vocabulary", "词表"),
    "tag": ("tag", "标签"),
    "system": ("platform", "平台"),
    "cart": ("download list", "下载清单"),
    "download_list": ("download list", "下载清单"),
    "notice": ("notices", "通知"),
    "report": ("report", "报告"),
    "subscription": ("exchange subscription", "交换订阅"),
    "service_filing": ("service filing", "服务备案"),
    "usage_record": ("usage record", "使用记录"),
    "user_settings": ("user settings", "用户设置"),
    "return": ("data return", "数据回流"),
    "extension": ("extension", "延期申请"),
    "mail": ("mail", "邮件"),
    "findings": ("findings", "检查结果"),
    "workbench": ("workbench", "工作台"),
    "dispute": ("disputes", "争议"),
    "rule_profile": ("rule profile", "规则配置"),
}

#: Verbs of action codes (the last word), for codes without a label of their own.
VERBS: dict[str, Texts] = {
    "create": ("Created", "创建"),
    "update": ("Updated", "更新"),
    "patch": ("Updated", "更新"),
    "delete": ("Deleted", "删除"),
    "purge": ("Purged", "彻底删除"),
    "show": ("Opened", "查看"),
    "list": ("Listed", "列出"),
    "decide": ("Decided", "决定"),
    "revoke": ("Revoked", "撤销"),
    "suspend": ("Suspended", "暂停"),
    "resume": ("Resumed", "恢复"),
    "terminate": ("Terminated", "终止"),
    "approve": ("Approved", "同意"),
    "reject": ("Rejected", "拒绝"),
    "submit": ("Submitted", "提交"),
    "withdraw": ("Withdrew", "撤回"),
    "export": ("Exported", "导出"),
    "reorder": ("Reordered", "重新排序"),
    "rotate": ("Rotated", "更换"),
    "open": ("Opened", "发起"),
    "escalate": ("Escalated", "提请协调"),
    "comment": ("Commented on", "留言"),
    "add": ("Added to", "加入"),
    "remove": ("Removed from", "移出"),
    "clear": ("Cleared", "清空"),
    "run": ("Ran", "执行"),
    "mark_read": ("Marked read", "标记已读"),
}

#: Words of a summary, by the detail key they stand for.
KEYS: dict[str, Texts] = {
    "reason": ("Reason", "理由"),
    "holder": ("Holder", "持有部门"),
    "package_id": ("Entry", "信息资源"),
    "grant_id": ("Grant", "授权"),
    "purpose": ("Purpose", "用途"),
    "period": ("Period", "期限"),
    "source": ("Source", "来源"),
    "decision": ("Decision", "决定"),
    "decided_by_body": ("Decided by", "决定机关"),
    "reference": ("Document number", "文号"),
    "rectify_by": ("Rectify by", "整改期限"),
    "method": ("Method", "方式"),
    "delivery_due": ("Due", "应交付日期"),
    "due_date": ("Due", "到期日"),
    "note": ("Note", "备注"),
    "token_name": ("Token", "令牌"),
    "owner": ("Owner", "所有者"),
    "owner_name": ("Owner", "所有者"),
    "token_owner": ("Token owner", "令牌所有者"),
    "user_name": ("User", "用户"),
    "capacity": ("Role", "角色"),
    "fields": ("Fields changed", "变更字段"),
    "bytes": ("Size (bytes)", "大小（字节）"),
    "length": ("Characters", "字数"),
    "message": ("Message", "说明"),
    "error": ("Error", "错误"),
    "status": ("Status", "状态"),
}
#: Keys whose value is a user, a department or an entry id: shown by name.
USER_KEYS = ("owner", "token_owner")
ORG_KEYS = ("holder",)
ENTRY_KEYS = ("package_id",)

BODIES: dict[str, Texts] = {
    "authority": ("Sharing authority", "共享主管部门"),
    "joint_conference": ("Joint conference", "联席会议"),
    "upper_authority": ("Common upper authority", "共同上级主管部门"),
    "government": ("People's government", "本级人民政府"),
}
CHANGES: dict[str, Texts] = {
    "create": ("created", "已创建"),
    "update": ("updated", "已更新"),
    "delete": ("deleted", "已删除"),
    "purge": ("purged", "已彻底删除"),
}
PLATFORM: Texts = ("Platform", "平台")
REFUSED: Texts = ("Refused", "被拒绝")


def action_label(code: str | None) -> Texts:
    """An action code's label: its own, or its verb and object (``package_update``: "Updated
    entry"), or the code itself when neither is known."""
    code = code or ""
    if code in ACTIONS:
        return ACTIONS[code]
    words = code.removeprefix("govshare_").split("_")
    for cut in range(len(words) - 1, 0, -1):
        subject, verb = "_".join(words[:cut]), "_".join(words[cut:])
        if subject in OBJECTS and verb in VERBS:
            (en_verb, zh_verb), (en_obj, zh_obj) = VERBS[verb], OBJECTS[subject]
            return f"{en_verb} {en_obj}", f"{zh_verb}{zh_obj}"
    return code, code


def object_label(kind: str | None) -> Texts:
    return OBJECTS.get(kind or "", (kind or "", kind or ""))


def local_time(value: str | dt.datetime | None) -> str:
    """A recorded time in the platform's time zone (``ckanext.govshare.timezone``), to the
    second: ``2026-12-06 06:14:50``."""
    if value is None:
        return ""
    moment = (
        dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(clock.timezone()).strftime("%Y-%m-%d %H:%M:%S")


def zone_name() -> str:
    """The platform's time zone as the page's column says it: ``UTC+08:00``."""
    offset = clock.now().astimezone(clock.timezone()).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


# ---------------------------------------------------------------------------- look-ups


def _detail(event: Mapping[str, Any]) -> Mapping[str, Any]:
    found = event.get("detail")
    return found if isinstance(found, Mapping) else {}


class Names:
    """Full names, titles and entries for a page of events, a few queries for all of them."""

    def __init__(self, events: Sequence[Mapping[str, Any]], reading: Reading) -> None:
        self.reading = reading
        users: set[str] = set()
        orgs: set[str] = set()
        entries: set[str] = set()
        requests: set[str] = set()
        grants: set[str] = set()
        for event in events:
            detail = _detail(event)
            users.update(v for v in (event.get("actor_id"),) if v)
            users.update(str(detail[k]) for k in USER_KEYS if detail.get(k))
            orgs.update(
                v for v in (event.get("actor_department"), event.get("object_department")) if v
            )
            orgs.update(str(detail[k]) for k in ORG_KEYS if detail.get(k))
            entries.update(str(detail[k]) for k in ENTRY_KEYS if detail.get(k))
            kind, ident = event.get("object_type"), event.get("object_id")
            if ident:
                {
                    "package": entries,
                    "organization": orgs,
                    "user": users,
                    "access_request": requests,
                    "grant": grants,
                }.get(kind or "", set()).add(str(ident))
            if detail.get("grant_id"):
                grants.add(str(detail["grant_id"]))
        self.requests = _entries_of(reading, "access_request", requests)
        self.grants = _entries_of(reading, "grant", grants)
        entries.update(self.requests.values())
        entries.update(self.grants.values())
        self.users = _rows(model.user_table, users, ("name", "fullname"))
        self.orgs = _rows(model.group_table, orgs, ("name", "title"))
        self.entries = _rows(model.package_table, entries, ("name", "title"))

    def person(self, user_id: str | None, fallback: str | None) -> str | None:
        found = self.users.get(user_id or "")
        if found:
            return found[1] or found[0]
        return fallback

    def org(self, org_id: str | None) -> str | None:
        found = self.orgs.get(org_id or "")
        return (found[1] or found[0]) if found else None

    def entry(self, entry_id: str | None) -> str | None:
        found = self.entries.get(entry_id or "")
        return (found[1] or found[0]) if found else None


def _rows(
    table: sa.Table, ids: Iterable[str], columns: tuple[str, str]
) -> dict[str, tuple[str, str]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    c = table.c
    rows = model.Session.execute(
        sa.select(c.id, c[columns[0]], c[columns[1]]).where(c.id.in_(wanted))
    ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def _entries_of(reading: Reading, kind: str, ids: set[str]) -> dict[str, str]:
    found = reading.entries_of.get(kind)
    return found(sorted(ids)) if found and ids else {}


# ---------------------------------------------------------------------------- one event


def _object(event: Mapping[str, Any], names: Names) -> tuple[Texts, str | None, str | None]:
    """The object's kind, its name as people know it, and the page that shows it."""
    kind, ident = event.get("object_type") or "", event.get("object_id")
    detail = _detail(event)
    ident_text = str(ident) if ident else None
    title: str | None = None
    url: str | None = None
    if kind == "package" and ident_text:
        title, url = names.entry(ident_text) or detail.get("name"), f"/dataset/{ident_text}"
    elif kind == "organization" and ident_text:
        title, url = names.org(ident_text) or detail.get("name"), f"/organization/{ident_text}"
    elif kind == "user" and ident_text:
        title, url = names.person(ident_text, detail.get("name")), f"/user/{ident_text}"
    elif kind == "access_request" and ident_text:
        title = names.entry(names.requests.get(ident_text))
        url = f"/govshare/requests/{ident_text}"
    elif kind == "grant" and ident_text:
        title = names.entry(names.grants.get(ident_text))
        url = f"/govshare/grants/{ident_text}"
    elif kind == "api_token":
        title = detail.get("token_name")
    else:
        title = detail.get("name") if isinstance(detail.get("name"), str) else None
    return object_label(kind), title, url


def _value(key: str, value: Any, names: Names, zh: bool) -> str | None:
    """A detail value as a person reads it (``None``: nothing worth saying)."""
    if value is None or value == "" or value == []:
        return None
    if key in USER_KEYS:
        return names.person(str(value), None) or str(value)
    if key in ORG_KEYS:
        return names.org(str(value)) or str(value)
    if key in ENTRY_KEYS:
        return names.entry(str(value)) or str(value)
    if key == "grant_id":
        return names.entry(names.grants.get(str(value)))
    if key == "decided_by_body":
        found = BODIES.get(str(value))
        return found[1 if zh else 0] if found else str(value)
    if key == "status":
        found = names.reading.states.get(str(value))
        return found[1 if zh else 0] if found else str(value)
    if key == "period" and isinstance(value, list | tuple):
        return " – ".join(str(v) for v in value if v)
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, list | tuple):
        shown = [str(v) for v in value if not isinstance(v, Mapping | list | tuple)]
        return "、".join(shown) if zh else ", ".join(shown)
    if isinstance(value, Mapping):
        return None
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def summary(event: Mapping[str, Any], names: Names) -> Texts:
    """What happened, in a line per language: a request's move from state to state, what a
    change did to which fields, then the detail's known keys (reason, holder, period…)."""
    detail = _detail(event)
    parts: list[Texts] = []
    states = names.reading.states
    if "from" in detail and "to" in detail and detail["to"] in states:
        before = states.get(detail["from"] or "", ("new", "新建"))
        after = states[detail["to"]]
        parts.append((f"{before[0]} → {after[0]}", f"{before[1]} → {after[1]}"))
    change = detail.get("change")
    if isinstance(change, str) and change in CHANGES and "fields" in detail:
        name = detail.get("name") or ""
        en, zh = CHANGES[change]
        parts.append((f"{name} {en}".strip(), f"{name}{zh}"))
    for key, (en_key, zh_key) in KEYS.items():
        if key not in detail or key == "status" and "to" in detail:
            continue
        en_value = _value(key, detail[key], names, zh=False)
        zh_value = _value(key, detail[key], names, zh=True)
        if en_value is None or zh_value is None:
            continue
        parts.append((f"{en_key}: {en_value}", f"{zh_key}：{zh_value}"))
    if event.get("outcome") == "refused" and not parts:
        parts.append(REFUSED)
    return "; ".join(p[0] for p in parts), "；".join(p[1] for p in parts)


def _hashed_names(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event under its hashed names, whether given so or as the API answers it."""
    found = dict(event)
    for hashed, api in (
        ("time", "created"),
        ("actor_department", "actor_org_id"),
        ("object_department", "object_org_id"),
    ):
        if hashed not in found and api in found:
            found[hashed] = found[api]
    return found


def _site_user() -> str:
    return str(tk.config.get("ckan.site_id") or "")


def present(
    given: Sequence[Mapping[str, Any]], reading: Reading | None = None
) -> list[dict[str, Any]]:
    """The events (hashed names: ``time``, ``actor_department``…), each with what people
    read: ``created_local``, ``action_label``, ``actor_display_name``, ``actor_org_title``,
    ``object_label``, ``object_title``, ``object_url``, ``object_org_title``, ``summary``
    (labels as ``{"en", "zh_Hans_CN"}``)."""
    events = [_hashed_names(e) for e in given]
    names = Names(events, reading or Reading())
    site = _site_user()
    shown = []
    for event in events:
        kind, title, url = _object(event, names)
        actor = event.get("actor_name")
        platform = actor == "system" and not event.get("actor_id") or bool(site and actor == site)
        display = names.person(event.get("actor_id"), actor) or ""
        shown.append(
            {
                "created_local": local_time(event.get("time")),
                "action_label": label(*action_label(event.get("action"))),
                "actor_display_name": label(*PLATFORM) if platform else label(display, display),
                "actor_org_title": names.org(event.get("actor_department")),
                "object_label": label(*kind),
                "object_title": title,
                "object_url": url,
                "object_org_title": names.org(event.get("object_department")),
                "summary": label(*summary(event, names)),
            }
        )
    return shown


#: The reading columns of the CSV, in front of the hashed ones (``trail.CSV_COLUMNS``), by
#: language: they are for people and not hashed; the chain is verified on the others.
CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "en": (
        "Local time",
        "User",
        "Acting for",
        "Event",
        "Object",
        "Department of the object",
        "Outcome",
        "Summary",
    ),
    "zh_Hans_CN": (
        "本地时间",
        "用户",
        "所代表部门",
        "事件",
        "对象",
        "对象所属部门",
        "结果",
        "摘要",
    ),
}
OUTCOMES: dict[str, Texts] = {"success": ("success", "成功"), "refused": ("refused", "被拒绝")}


def csv_rows(
    events: Sequence[Mapping[str, Any]], reading: Reading | None, language: str
) -> list[list[str]]:
    """The reading cells of each event (``CSV_HEADERS``), in ``language``."""
    key = "zh_Hans_CN" if language.startswith("zh") else "en"
    rows = []
    zone = zone_name()
    for event, shown in zip(events, present(events, reading), strict=True):
        kind = shown["object_label"][key]
        title = shown["object_title"] or event.get("object_id") or ""
        outcome = OUTCOMES.get(str(event.get("outcome")), ("", ""))
        rows.append(
            [
                f"{shown['created_local']} {zone}",
                shown["actor_display_name"][key] or "",
                shown["actor_org_title"] or "",
                shown["action_label"][key],
                f"{kind} {title}".strip() if key == "en" else f"{kind}：{title}" if title else kind,
                shown["object_org_title"] or "",
                outcome[1 if key == "zh_Hans_CN" else 0],
                shown["summary"][key],
            ]
        )
    return rows
