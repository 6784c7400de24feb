"""Subjects and bodies of notices, in Chinese and in English (issue 19, item 7).

Rendered once per recipient, when a notice is queued, in the recipient's language
(``language.py``: their setting, else the site's), from the params the caller passes; the same
text goes to the dashboard and into the email. Notices stored by earlier versions hold both
languages in one text ("中文 / English"): :func:`one_language` keeps the reader's half when they
are read or emailed. A notice says *that* something happened and links to the
platform: it never carries a download link, a token or shared data, and comments
(``request_comment``) stay on the platform, where access to them is checked (art. 14: shared
data and what is said about it are not passed on by mail).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk

from . import language

# kind -> (Chinese subject, English subject, Chinese body, English body).
# Bodies are ``str.format_map`` templates over the params (missing ones read as "").
TEMPLATES: dict[str, tuple[str, str, str, str]] = {
    "request_submitted": (
        "共享申请已提交：{entry_title}",
        "Request submitted: {entry_title}",
        "您代表{requesting_org}提交的对“{entry_title}”（{provider_org}）的共享申请已收到。{due_zh}",
        "Your request for “{entry_title}” ({provider_org}) on behalf of {requesting_org} "
        "has been received.{due_en}",
    ),
    "request_received": (
        "收到共享申请：{entry_title}",
        "New request: {entry_title}",
        "{requesting_org}申请使用贵部门的“{entry_title}”。{due_zh}",
        "{requesting_org} requests access to your entry “{entry_title}”.{due_en}",
    ),
    "request_decided": (
        "共享申请已{status_zh}：{entry_title}",
        "Request {status_en}: {entry_title}",
        "{provider_org}已{status_zh}{requesting_org}对“{entry_title}”的共享申请。{reason_zh}",
        "{provider_org} has {status_en} the request of {requesting_org} for “{entry_title}”."
        "{reason_en}",
    ),
    "request_returned": (
        "共享申请被退回补充材料：{entry_title}",
        "Request returned for more information: {entry_title}",
        "{provider_org}退回了对“{entry_title}”的共享申请，请补充材料后重新提交。{reason_zh}",
        "{provider_org} returned the request for “{entry_title}”: please complete it and "
        "submit it again.{reason_en}",
    ),
    "request_resubmitted": (
        "共享申请已重新提交：{entry_title}",
        "Request resubmitted: {entry_title}",
        "{requesting_org}重新提交了对“{entry_title}”的共享申请。{due_zh}",
        "{requesting_org} has resubmitted its request for “{entry_title}”.{due_en}",
    ),
    "request_withdrawn": (
        "共享申请已撤回：{entry_title}",
        "Request withdrawn: {entry_title}",
        "{requesting_org}撤回了对“{entry_title}”的共享申请。",
        "{requesting_org} has withdrawn its request for “{entry_title}”.",
    ),
    # Internal sign-off (2025 Regulations art. 20), issue 18: the department's head signs off
    # what its staff drafted, before a request is sent and before an answer is sent.
    "request_signoff_needed": (
        "共享申请待审核：{entry_title}",
        "Request to sign off: {entry_title}",
        "本部门（{requesting_org}）工作人员拟向{provider_org}申请“{entry_title}”，待您审核后发出。",
        "Staff of {requesting_org} drafted a request to {provider_org} for “{entry_title}”: "
        "it is sent once you sign it off.",
    ),
    "request_signoff_returned": (
        "共享申请经本部门审核退回：{entry_title}",
        "Request returned by your head: {entry_title}",
        "您拟向{provider_org}申请“{entry_title}”的共享申请已被本部门负责人退回，请修改后重新提交"
        "或撤回。{reason_zh}",
        "Your head returned the request to {provider_org} for “{entry_title}”: change it and "
        "send it again, or withdraw it.{reason_en}",
    ),
    "answer_drafted": (
        "答复待审核：{entry_title}",
        "Answer to sign off: {entry_title}",
        "本部门工作人员已拟办对{requesting_org}申请“{entry_title}”的答复，待您审核后发出。{due_zh}",
        "Staff drafted the answer to the request of {requesting_org} for “{entry_title}”: it is "
        "sent once you sign it off.{due_en}",
    ),
    "answer_draft_returned": (
        "拟办答复被退回：{entry_title}",
        "Drafted answer returned: {entry_title}",
        "您对{requesting_org}申请“{entry_title}”的拟办答复已被本部门负责人退回。{reason_zh}",
        "Your head returned the answer you drafted to the request of {requesting_org} for "
        "“{entry_title}”.{reason_en}",
    ),
    "negotiation_opened": (
        "共享协商已发起：{entry_title}",
        "Negotiation opened: {entry_title}",
        "{requesting_org}就“{entry_title}”（{provider_org}）发起了共享协商。",
        "{requesting_org} has opened a negotiation with {provider_org} about “{entry_title}”.",
    ),
    "request_comment": (
        "共享申请有新留言：{entry_title}",
        "New message on a request: {entry_title}",
        "关于“{entry_title}”的共享申请有一条新留言，请登录平台查看。",
        "There is a new message on the request for “{entry_title}”; read it on the platform.",
    ),
    "request_escalated": (
        "共享争议已提交协调：{entry_title}",
        "Dispute escalated: {entry_title}",
        "{requesting_org}与{provider_org}关于“{entry_title}”的共享争议已提交{level_zh}协调。",
        "The dispute between {requesting_org} and {provider_org} about “{entry_title}” has "
        "been escalated to {level_en}.",
    ),
    "escalation_decided": (
        "共享争议已有结果：{entry_title}",
        "Dispute decided: {entry_title}",
        "关于“{entry_title}”的共享争议已作出决定：{status_zh}。{reason_zh}",
        "The dispute about “{entry_title}” has been decided: {status_en}.{reason_en}",
    ),
    "grant_created": (
        "已获得数据使用授权：{entry_title}",
        "Access granted: {entry_title}",
        "{requesting_org}已获得“{entry_title}”（{provider_org}）的使用授权{period_zh}。"
        "请在平台上按申请用途使用，不得转让或用于其他用途。",
        "{requesting_org} may now use “{entry_title}” ({provider_org}){period_en}. Use it on "
        "the platform for the stated purpose only; do not pass it on.",
    ),
    "grant_revoked": (
        "数据使用授权已撤销：{entry_title}",
        "Access revoked: {entry_title}",
        "{provider_org}撤销了{requesting_org}对“{entry_title}”的使用授权，"
        "由此签发的下载令牌均已失效。{reason_zh}",
        "{provider_org} has revoked the access of {requesting_org} to “{entry_title}”; every "
        "download token issued from it has stopped working.{reason_en}",
    ),
    # After delivery (2025 Regulations art. 27), issue 18.
    "grant_suspended": (
        "数据共享已暂停：{entry_title}",
        "Sharing suspended: {entry_title}",
        "{requesting_org}对“{entry_title}”（{provider_org}）的使用授权已暂停，"
        "暂停期间一律不提供数据，请于{rectify_by}前整改。{reason_zh}",
        "The access of {requesting_org} to “{entry_title}” ({provider_org}) is suspended: no "
        "data is delivered until it is resumed. Rectify by {rectify_by}.{reason_en}",
    ),
    "grant_resumed": (
        "数据共享已恢复：{entry_title}",
        "Sharing resumed: {entry_title}",
        "{requesting_org}对“{entry_title}”（{provider_org}）的使用授权已解除暂停"
        "（当前状态：{status}）。{reason_zh}",
        "The suspension of the access of {requesting_org} to “{entry_title}” ({provider_org}) "
        "is lifted (status now: {status}).{reason_en}",
    ),
    "grant_terminated": (
        "数据共享已终止：{entry_title}",
        "Sharing terminated: {entry_title}",
        "{requesting_org}对“{entry_title}”（{provider_org}）的使用授权已终止，"
        "由此签发的下载令牌和批量交换订阅均已停止，请按提供部门要求处置数据。{reason_zh}",
        "The access of {requesting_org} to “{entry_title}” ({provider_org}) is terminated; "
        "every token and batch exchange under it has stopped. Dispose of the data as the "
        "provider requires.{reason_en}",
    ),
    "request_due_soon": (
        "共享申请即将到期：{entry_title}",
        "Request due soon: {entry_title}",
        "{requesting_org}对“{entry_title}”的共享申请须在{due_date}前答复"
        "（还剩{workdays_left}个工作日）。",
        "The request of {requesting_org} for “{entry_title}” must be answered by {due_date} "
        "({workdays_left} working days left).",
    ),
    "request_overdue": (
        "共享申请已超期未答复：{entry_title}",
        "Request overdue: {entry_title}",
        "{requesting_org}对“{entry_title}”（{provider_org}）的共享申请应于{due_date}前答复，"
        "至今未答复，已标记为超期并报共享主管部门。",
        "The request of {requesting_org} for “{entry_title}” ({provider_org}) was due by "
        "{due_date} and has not been answered: it is marked overdue and reported to the "
        "sharing authority.",
    ),
    # Answers and deliveries (2025 Regulations art. 21, 22), issue 18.
    "extension_requested": (
        "答复期限延期申请：{entry_title}",
        "Extension asked for: {entry_title}",
        "{provider_org}申请将{requesting_org}对“{entry_title}”的共享申请答复期限延长{days}个"
        "工作日（现答复期限：{due_date}），请共享主管部门决定。",
        "{provider_org} asks to extend the time to answer the request of {requesting_org} for "
        "“{entry_title}” by {days} working days (due now by {due_date}): the sharing authority "
        "decides.",
    ),
    "extension_decided": (
        "答复期限延期决定：{entry_title}",
        "Extension decided: {entry_title}",
        "共享主管部门对{provider_org}答复{requesting_org}“{entry_title}”共享申请的延期申请"
        "（{days}个工作日）：{outcome_zh}。{reason_zh}",
        "The sharing authority decided the extension ({days} working days) of the answer of "
        "{provider_org} to the request of {requesting_org} for “{entry_title}”: {outcome_en}."
        "{reason_en}",
    ),
    "delivery_due_soon": (
        "共享数据即将到提供期限：{entry_title}",
        "Data due soon: {entry_title}",
        "已批准{requesting_org}使用的“{entry_title}”须在{delivery_due}前提供"
        "（还剩{workdays_left}个工作日）。提供后请标记为已提供。",
        "The data of “{entry_title}” approved for {requesting_org} must be made available by "
        "{delivery_due} ({workdays_left} working days left). Mark it delivered once it is.",
    ),
    "delivery_overdue": (
        "共享数据超期未提供：{entry_title}",
        "Data not delivered in time: {entry_title}",
        "已批准{requesting_org}使用的“{entry_title}”（{provider_org}）应于{delivery_due}前提供，"
        "至今未提供，已标记为超期并报共享主管部门。",
        "The data of “{entry_title}” ({provider_org}) approved for {requesting_org} was due "
        "by {delivery_due} and has not been delivered: it is marked overdue and reported to "
        "the sharing authority.",
    ),
    "request_expired": (
        "共享申请已失效：{entry_title}",
        "Request expired: {entry_title}",
        "{requesting_org}对“{entry_title}”的共享申请已失效。{reason_zh}",
        "The request of {requesting_org} for “{entry_title}” has expired.{reason_en}",
    ),
    "grant_expiring": (
        "数据使用授权即将到期：{entry_title}",
        "Access ends soon: {entry_title}",
        "{requesting_org}对“{entry_title}”（{provider_org}）的使用授权将于{period_end}到期"
        "（还剩{workdays_left}个工作日）。如需继续使用，请及时重新申请。",
        "The access of {requesting_org} to “{entry_title}” ({provider_org}) ends on "
        "{period_end} ({workdays_left} working days left). Request it again in time if you "
        "still need it.",
    ),
    "grant_expired": (
        "数据使用授权已到期：{entry_title}",
        "Access ended: {entry_title}",
        "{requesting_org}对“{entry_title}”（{provider_org}）的使用授权已于{period_end}到期，"
        "由此签发的下载令牌均已失效。",
        "The access of {requesting_org} to “{entry_title}” ({provider_org}) ended on "
        "{period_end}; every download token issued from it has stopped working.",
    ),
    # Batch exchange (2025 Regulations art. 22), issue 17.
    "exchange_subscription_stopped": (
        "批量交换订阅已停止：{entry_title}",
        "Batch exchange stopped: {entry_title}",
        "{requesting_org}对“{entry_title}”（{provider_org}）的批量交换订阅（{table}）已停止，"
        "不再交换数据。原因：{stop_reason_zh}。",
        "The batch exchange of “{entry_title}” ({provider_org}) to {requesting_org} ({table}) "
        "has stopped; no further data is exchanged. Reason: {stop_reason_en}.",
    ),
    # Doubt and error feedback (art. 15) and catalogue-update obligations (art. 8), issue 8.
    "feedback_received": (
        "收到{kind_zh}反馈：{entry_title}",
        "Feedback on your data: {entry_title}",
        "{reporting_org}反馈“{entry_title}”存在{kind_zh}，请核实并于{due_date}前答复。",
        "{reporting_org} reports {kind_en} in “{entry_title}”: verify it and answer by {due_date}.",
    ),
    "feedback_resolved": (
        "数据反馈已答复：{entry_title}",
        "Feedback answered: {entry_title}",
        "{provider_org}已答复您对“{entry_title}”的反馈：{resolution_zh}。",
        "{provider_org} has answered your feedback on “{entry_title}”: {resolution_en}.",
    ),
    "feedback_due_soon": (
        "数据反馈即将到期：{entry_title}",
        "Feedback due soon: {entry_title}",
        "{reporting_org}对“{entry_title}”的反馈须在{due_date}前答复（还剩{workdays_left}个工作日）。",
        "The feedback of {reporting_org} on “{entry_title}” must be answered by {due_date} "
        "({workdays_left} working days left).",
    ),
    "feedback_overdue": (
        "数据反馈已超期未答复：{entry_title}",
        "Feedback overdue: {entry_title}",
        "{reporting_org}对“{entry_title}”（{provider_org}）的反馈应于{due_date}前答复，"
        "至今未答复，已标记为超期并报共享主管部门。",
        "The feedback of {reporting_org} on “{entry_title}” ({provider_org}) was due by "
        "{due_date} and has not been answered: it is marked overdue and reported to the "
        "sharing authority.",
    ),
    "obligation_created": (
        "目录更新任务：{organization}",
        "Catalogue update due: {organization}",
        "因{kind_zh}（{effective_date}起），{organization}须于{due_date}前更新政务信息资源目录"
        "（第八条）。",
        "{organization} must update its catalogue by {due_date} (art. 8): {kind_en} "
        "(effective {effective_date}).",
    ),
    "obligation_discharged": (
        "目录更新任务已完成：{organization}",
        "Catalogue update done: {organization}",
        "{organization}已完成目录更新，复核或更新了{entries_count}个条目。",
        "{organization} has updated its catalogue: {entries_count} entries reviewed or changed.",
    ),
    "obligation_due_soon": (
        "目录更新任务即将到期：{organization}",
        "Catalogue update due soon: {organization}",
        "{organization}须于{due_date}前完成目录更新（还剩{workdays_left}个工作日）。",
        "{organization} must update its catalogue by {due_date} ({workdays_left} working "
        "days left).",
    ),
    "obligation_overdue": (
        "目录更新已超期：{organization}",
        "Catalogue update overdue: {organization}",
        "{organization}应于{due_date}前完成目录更新（{kind_zh}），至今未完成，已标记为超期并报共享主管部门。",
        "{organization} was to update its catalogue by {due_date} ({kind_en}) and has not: it "
        "is marked overdue and reported to the sharing authority.",
    ),
    # Usage records, disposal and service filings (2025 Regulations art. 27, 29), issue 18.
    "disposal_due_soon": (
        "共享数据须按期处置：{entry_title}",
        "Data to dispose of soon: {entry_title}",
        "{requesting_org}对“{entry_title}”（{provider_org}）的使用授权已结束，须在{disposal_due}前"
        "按提供部门要求处置数据并在平台记录处置情况（还剩{workdays_left}个工作日）。",
        "The access of {requesting_org} to “{entry_title}” ({provider_org}) has ended: dispose "
        "of the data as the provider requires and record it on the platform by {disposal_due} "
        "({workdays_left} working days left).",
    ),
    "disposal_overdue": (
        "共享数据超期未处置：{entry_title}",
        "Data not disposed of in time: {entry_title}",
        "{requesting_org}应于{disposal_due}前处置“{entry_title}”（{provider_org}）的共享数据并记录，"
        "至今未记录，已标记为超期。",
        "{requesting_org} was to dispose of the data of “{entry_title}” ({provider_org}) and "
        "record it by {disposal_due} and has not: it is marked overdue.",
    ),
    "service_filed": (
        "共享服务{filing_kind_zh}备案：{entry_title}",
        "Service {filing_kind_en} filed: {entry_title}",
        "{provider_org}已就“{entry_title}”的共享服务{filing_kind_zh}向共享主管部门备案，"
        "自{effective_date}起生效。请登录平台查看备案及协商情况。",
        "{provider_org} has filed the {filing_kind_en} of its sharing service of "
        "“{entry_title}” with the sharing authority, effective {effective_date}. Read the "
        "filing and the consultation on the platform.",
    ),
    # The yearly report (art. 18), issue 8.
    "report_due": (
        "{year}年度政务信息资源共享情况报告须于{due_by}前报送：{organization}",
        "Yearly sharing report for {year} due by {due_by}: {organization}",
        "请于{due_by}前报送{organization}{year}年度政务信息资源共享情况（第十八条）。"
        "平台已根据记录生成报告及合规问题清单，可查看并下载。",
        "{organization} reports on its data sharing in {year} by {due_by} (art. 18). The "
        "platform has computed the report and its compliance findings from the records: "
        "review and download them.",
    ),
    # Batch exchange (2025 Regulations art. 22), issue 17: to both departments' data officers.
    "exchange_run_failed": (
        "批量交换失败：{entry_title}",
        "Batch exchange failed: {entry_title}",
        "{provider_org}向{requesting_org}交换“{entry_title}”（目标表或文件：{table}）失败：{error_zh}。"
        "交换目标保持原状，下次计划时间将再次执行。",
        "The batch exchange of “{entry_title}” from {provider_org} to {requesting_org} (table "
        "or file: {table}) failed: {error_en}. The target was left as it was; the next "
        "scheduled run tries again.",
    ),
    # The sharing authority's catalogue review (2025 Regulations art. 16, 17), issue 18.
    "catalogue_review_submitted": (
        "目录待审核：{entry_title}",
        "Catalogue entry to review: {entry_title}",
        "{provider_org}的“{entry_title}”（{kind_zh}）已提交共享主管部门审核，审核期限：{due_date}。",
        "“{entry_title}” of {provider_org} ({kind_en}) waits for the sharing authority's "
        "review, due by {due_date}.",
    ),
    "catalogue_announced": (
        "目录已发布：{entry_title}",
        "Catalogue entry announced: {entry_title}",
        "共享主管部门已审核发布{provider_org}的政务数据目录“{entry_title}”（{kind_zh}）。",
        "The sharing authority has approved and announced “{entry_title}” of {provider_org} "
        "({kind_en}).",
    ),
    "catalogue_returned": (
        "目录审核退回：{entry_title}",
        "Catalogue entry returned: {entry_title}",
        "共享主管部门退回了“{entry_title}”（{kind_zh}），请按理由修改后重新提交。{reason_zh}",
        "The sharing authority returned “{entry_title}” ({kind_en}): correct it as the reasons "
        "say and save it again.{reason_en}",
    ),
    "catalogue_review_due_soon": (
        "目录审核即将到期：{entry_title}",
        "Catalogue review due soon: {entry_title}",
        "{provider_org}的“{entry_title}”须于{due_date}前审核（还剩{workdays_left}个工作日）。",
        "“{entry_title}” of {provider_org} is to be reviewed by {due_date} ({workdays_left} "
        "working days left).",
    ),
    "catalogue_review_overdue": (
        "目录审核已超期：{entry_title}",
        "Catalogue review overdue: {entry_title}",
        "{provider_org}的“{entry_title}”应于{due_date}前完成审核，至今未审核。",
        "“{entry_title}” of {provider_org} was to be reviewed by {due_date} and has not been.",
    ),
    "obligation_extension_requested": (
        "目录更新延期申请：{organization}",
        "Catalogue update extension asked: {organization}",
        "{organization}申请将目录更新期限（{due_date}）延长{extension_days}个工作日，请审核"
        "（《政务数据共享条例》第十七条）。",
        "{organization} asks to extend its catalogue update due {due_date} by "
        "{extension_days} working days (2025 Regulations art. 17).",
    ),
    "obligation_extension_decided": (
        "目录更新延期申请已{decision_zh}：{organization}",
        "Catalogue update extension {decision_en}: {organization}",
        "共享主管部门已{decision_zh}{organization}的目录更新延期申请，更新期限：{due_date}。{reason_zh}",
        "The sharing authority has {decision_en} the extension of the catalogue update of "
        "{organization}; it is due by {due_date}.{reason_en}",
    ),
}

KINDS: frozenset[str] = frozenset(TEMPLATES)

_STATUS = {
    "approved": ("批准", "approved"),
    "rejected": ("拒绝", "rejected"),
    "granted": ("同意共享", "access granted"),
    "denied": ("不予共享", "access denied"),
    "escalated_authority": ("提交共享主管部门", "escalated to the sharing authority"),
    "escalated_joint_conference": ("提交联席会议", "escalated to the joint conference"),
    # 2025 art. 28: the common upper authority, then the people's government.
    "escalated_upper_authority": (
        "移送共同上级共享主管部门",
        "referred to the common upper sharing authority",
    ),
    "escalated_government": ("报请本级人民政府决定", "referred to the people's government"),
    "expired": ("失效", "expired"),
}
_LEVEL = {
    "escalated_joint_conference": ("部际联席会议", "the joint conference"),
    "escalated_upper_authority": ("共同上级共享主管部门", "the common upper sharing authority"),
    "escalated_government": ("本级人民政府", "the people's government"),
}
_FILING_KIND = {"end": ("终止", "end"), "change": ("变更", "change")}
# Reasons are shown in these kinds (a decision's reason is part of the decision, art. 12);
# a comment's text is not (it stays on the platform).
_WITH_REASON = frozenset(
    {
        "catalogue_returned",
        "obligation_extension_decided",
        "request_decided",
        "extension_decided",
        "request_returned",
        "request_signoff_returned",
        "answer_draft_returned",
        "escalation_decided",
        "grant_revoked",
        "request_expired",
        "grant_suspended",
        "grant_resumed",
        "grant_terminated",
    }
)
_MAX_REASON = 500


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def absolute(link: str | None) -> str:
    """``link`` on ``ckan.site_url``: emails leave the site, so their links must be absolute."""
    if not link:
        return ""
    if link.startswith(("http://", "https://")):
        return link
    site = (tk.config.get("ckan.site_url") or "").rstrip("/")
    root = (tk.config.get("ckan.root_path") or "").replace("{{LANG}}", "").strip("/")
    prefix = f"{site}/{root}" if root else site
    return prefix + "/" + link.lstrip("/")


def _context(kind: str, params: Mapping[str, Any]) -> _Params:
    ctx = _Params({k: "" if v is None else str(v) for k, v in params.items()})
    status = str(params.get("status") or "")
    zh, en = _STATUS.get(status, (status, status))
    ctx["status_zh"], ctx["status_en"] = zh, en
    level = _LEVEL.get(status, ("共享主管部门", "the sharing authority"))
    ctx["level_zh"], ctx["level_en"] = level
    if params.get("due_date"):
        ctx["due_zh"] = f"答复期限：{params['due_date']}。"
        ctx["due_en"] = f" It is due to be answered by {params['due_date']}."
    reason = str(params.get("reason") or "").strip()
    if reason and kind in _WITH_REASON:
        if len(reason) > _MAX_REASON:
            reason = reason[:_MAX_REASON] + "…"
        ctx["reason_zh"] = f"理由：{reason}"
        ctx["reason_en"] = f" Reason: {reason}"
    filing_kind = _FILING_KIND.get(str(params.get("filing_kind") or ""))
    if filing_kind:
        ctx["filing_kind_zh"], ctx["filing_kind_en"] = filing_kind
    start, end = params.get("period_start"), params.get("period_end")
    if start and end:
        ctx["period_zh"] = f"（{start} 至 {end}）"
        ctx["period_en"] = f" from {start} to {end}"
    elif end:
        ctx["period_zh"] = f"（至 {end}）"
        ctx["period_en"] = f" until {end}"
    return ctx


def render(kind: str, params: Mapping[str, Any], locale: str = language.ZH) -> tuple[str, str]:
    """The notice's subject and body in ``locale`` (``zh_Hans_CN`` or ``en``)."""
    zh_subject, en_subject, zh_body, en_body = TEMPLATES[kind]
    ctx = _context(kind, params)
    if language.normalise(locale) == language.EN:
        return en_subject.format_map(ctx), en_body.format_map(ctx)
    return zh_subject.format_map(ctx), zh_body.format_map(ctx)


# --- notices stored in both languages (before issue 19) -----------------------------------

_FIELD = re.compile(r"\{([a-z_]+)\}")


def _pattern(template: str, seen: set[str]) -> str:
    """A template as a regular expression: its text literally, each field as any text, a
    field met before (in either language's half) as the same text again."""
    out: list[str] = []
    pos = 0
    for field in _FIELD.finditer(template):
        out.append(re.escape(template[pos : field.start()]))
        name = field.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        pos = field.end()
    out.append(re.escape(template[pos:]))
    return "".join(out)


def _both(zh: str, en: str, separator: str) -> re.Pattern[str]:
    seen: set[str] = set()
    zh_part = _pattern(zh, seen)
    en_part = _pattern(en, seen)
    return re.compile(
        f"(?P<zh_half>{zh_part}){re.escape(separator)}(?P<en_half>{en_part})", re.DOTALL
    )


#: Chinese subjects stored by earlier versions under another wording.
_EARLIER_ZH_SUBJECTS = {"feedback_received": "收到数据{kind_zh}反馈：{entry_title}"}
#: Slips of earlier wordings, put right when a stored notice is read.
_EARLIER_SLIPS = {"数据数据": "数据"}


@functools.cache
def _bilingual(kind: str) -> tuple[list[re.Pattern[str]], re.Pattern[str]]:
    zh_subject, en_subject, zh_body, en_body = TEMPLATES[kind]
    subjects = [_both(zh_subject, en_subject, " / ")]
    if kind in _EARLIER_ZH_SUBJECTS:
        subjects.append(_both(_EARLIER_ZH_SUBJECTS[kind], en_subject, " / "))
    return subjects, _both(zh_body, en_body, "\n\n")


def one_language(kind: str, subject: str, body: str, locale: str) -> tuple[str, str]:
    """A notice stored in both languages, as the reader's half (``zh`` or ``en``); a text that
    does not have the two-language shape of its kind is returned as stored. Names the two
    halves share (an entry's title, a department) must read the same in both, which places the
    split when a title or a reason holds the separator."""
    if kind not in TEMPLATES:
        return subject, body
    half = "en_half" if language.normalise(locale) == language.EN else "zh_half"
    subject_res, body_re = _bilingual(kind)
    for subject_re in subject_res:
        found_subject = subject_re.fullmatch(subject)
        if found_subject:
            subject = found_subject.group(half)
            for slip, right in _EARLIER_SLIPS.items():
                subject = subject.replace(slip, right)
            break
    found_body = body_re.fullmatch(body)
    return subject, found_body.group(half) if found_body else body


# --- email --------------------------------------------------------------------------------

_EMAIL = {
    language.ZH: ("查看：", "所有通知：", "本邮件由系统自动发送，请勿回复。"),
    language.EN: ("View: ", "All notices: ", "This message was sent automatically; do not reply."),
}


def email_body(body: str, link: str | None, locale: str = language.ZH) -> str:
    """The email's text in ``locale``: the notice, its absolute link and where the notices are
    kept."""
    view, every, automatic = _EMAIL[language.normalise(locale)]
    parts = [body]
    if link:
        parts.append(view + absolute(link))
    parts.append(every + absolute("/dashboard/notices") + "\n" + automatic)
    return "\n\n".join(parts)
