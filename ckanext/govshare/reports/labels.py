"""The report's wording in both languages: one table for the pages, the spreadsheet and the PDF.

Code values (share types, categories, purposes…) take their labels from the code lists;
the measures' names are here. Pages show the reader's language; the files show both
(Chinese first), as the notices do: a report goes to readers of either language.
"""

from __future__ import annotations

from ..access import codes as access_codes
from ..catalogue import codes as catalogue_codes

# key -> (English, Chinese)
TEXT: dict[str, tuple[str, str]] = {
    # sections
    "entries": ("Catalogue entries", "目录信息资源"),
    "obligations": ("Catalogue updates (art. 8)", "目录更新（第八条）"),
    "requests_received": ("Requests received", "收到的共享申请"),
    "requests_made": ("Requests made", "提出的共享申请"),
    "grants": ("Grants", "共享授权"),
    "downloads": ("Downloads", "数据下载"),
    "api_calls": ("Service interface calls", "服务接口调用"),
    "exchange_runs": ("Batch exchange runs (art. 22)", "批量交换（第二十二条）"),
    "feedback": ("Doubt and error feedback (art. 15)", "疑义与错误反馈（第十五条）"),
    # 2016 Measures art. 24; 2025 Regulations art. 39, 40: each finding names its article.
    "findings": ("Compliance findings", "合规问题"),
    "departments": ("Departments", "各部门"),
    "rejections": ("Rejections and their reasons", "驳回及理由"),
    # measures
    "total": ("Total", "合计"),
    "not_shared_with_basis": ("Not-shared entries with a legal basis", "有不予共享依据的条目"),
    "not_shared_with_basis_share": ("Share with a legal basis", "有依据比例"),
    "discharged_on_time": ("Updated on time", "按时更新"),
    "discharged_late": ("Updated late", "逾期更新"),
    "open_overdue": ("Open past the due date", "逾期未办"),
    "open_pending": ("Open, not yet due", "办理中（未到期）"),
    "on_time_share": ("Share on time", "按时比例"),
    "answered": ("Answered", "已答复"),
    "answered_on_time": ("Answered within the deadline", "按时答复"),
    "answered_late": ("Answered late", "逾期答复"),
    "never_answered": ("Never answered (overdue)", "逾期未答复"),
    "awaiting_answer": ("Awaiting an answer", "待答复"),
    "median_answer_workdays": ("Median answer time (working days)", "答复时间中位数（工作日）"),
    "negotiations": ("Negotiations", "共享协商"),
    "received": ("Received", "收到"),
    "made": ("Made", "提出"),
    "given": ("Given", "给予"),
    "downloads_made": ("Downloads by the department", "本部门下载"),
    "downloads_of_our_data": ("Downloads of the department's data", "本部门数据被下载"),
    "bytes": ("Bytes", "字节数"),
    "api_calls_made": ("Interface calls by the department", "本部门接口调用"),
    "api_calls_refused": ("Interface calls refused", "本部门被拒绝的接口调用"),
    "api_calls_of_our_data": ("Interface calls on the department's data", "本部门数据被调用"),
    "rows_delivered": ("Rows delivered", "提供数据行数"),
    "exchange_runs_received": ("Exchange runs to the department", "交换至本部门"),
    "exchange_runs_given": ("Exchange runs of the department's data", "本部门数据交换"),
    "runs": ("Runs", "交换次数"),
    "succeeded": ("Succeeded", "成功"),
    "failed": ("Failed", "失败"),
    "refused": ("Refused", "被拒绝"),
    "resolved": ("Resolved", "已处理"),
    "resolved_on_time": ("Resolved on time", "按时处理"),
    "resolved_late": ("Resolved late", "逾期处理"),
    "findings_count": ("Findings", "问题数"),
    "unconditional": ("Unconditional", "无条件共享"),
    "conditional": ("Conditional", "有条件共享"),
    "not_shared": ("Not shared", "不予共享"),
    "requests_received_short": ("Requests received", "收到申请"),
    "requests_made_short": ("Requests made", "提出申请"),
    "grants_received": ("Grants received", "获得授权"),
    "grants_given": ("Grants given", "给予授权"),
    "feedback_received": ("Feedback received", "收到反馈"),
    "feedback_on_time": ("Feedback resolved on time", "按时处理反馈"),
    "obligations_on_time": ("Updates on time", "按时更新"),
    "rejected": ("Rejected", "驳回"),
    "department": ("Department", "部门"),
    "kind": ("Kind", "类型"),
    "object": ("Record", "记录"),
    "due_date": ("Due date", "期限"),
    "evidence": ("Evidence", "证据"),
    "article": ("Article", "依据条款"),
    "detail": ("Detail", "详情"),
    "reason": ("Reason", "理由"),
    "decided_at": ("Decided", "决定时间"),
    "request": ("Request", "申请"),
    "measure": ("Measure", "指标"),
    "value": ("Value", "数值"),
    "year": ("Year", "年度"),
    "as_of": ("As of", "统计截至"),
    "due_by": ("Report due by", "报送期限"),
    "platform": ("Platform-wide report", "平台总体报告"),
    "report_title": ("Yearly data-sharing report", "政务信息资源共享年度报告"),
    # charts
    "share_type_mix": ("Entries by share type", "按共享类型分的信息资源"),
    "requests_by_month": ("Requests by month", "各月共享申请"),
    "answer_times": ("Answer times (working days)", "答复用时（工作日）"),
    "downloads_by_purpose": ("Downloads by purpose", "按用途分的下载"),
    "deadline": ("deadline", "期限"),
    "no_data": ("No data", "无数据"),
    "month": ("Month", "月份"),
    "workdays": ("Working days", "工作日"),
    "requests_answered": ("Requests answered", "已答复申请"),
    # finding kinds
    "catalogue_overdue": ("Catalogue not updated on time", "目录未按时更新"),
    "answer_late": ("Request answered late", "申请逾期答复"),
    "answer_missing": ("Request never answered", "申请逾期未答复"),
    "feedback_overdue": ("Feedback overdue", "反馈逾期未处理"),
    "stale_data": ("Stale data (update cycle)", "数据未按更新周期更新"),
    "refused_attempts": ("Repeated refused access attempts", "多次越权访问尝试"),
    "no_return": ("No data return to lower levels", "未向下级回流数据"),
    "delivery_late": ("Data delivered late", "未按时提供数据"),
    "repeated_return": (
        "Returned again for what was not told at once",
        "材料不齐全未一次性告知",
    ),
    "review_late": ("Catalogue review late", "目录未按时审核发布"),
    "service_unfiled": ("Service ended without filing", "擅自终止或变更共享服务"),
    "no_disposal": ("Shared data not disposed of", "未按要求处置共享数据"),
    "no_usage_records": ("No usage records", "未记录共享数据使用情况"),
    "use_outside_grant": ("Use beyond the grant", "超出授权范围使用共享数据"),
    # feedback, obligations, requests
    "doubt": ("Doubt", "疑义"),
    "error": ("Error", "错误"),
    "corrected": ("Corrected", "已更正"),
    "confirmed_correct": ("Confirmed correct", "经核无误"),
    "law_revised": ("Law revised", "法律法规修订"),
    "functions_changed": ("Functions changed", "职能调整"),
    "submitted": ("Submitted", "已提交"),
    "returned": ("Returned", "已退回"),
    "approved": ("Approved", "已批准"),
    "withdrawn": ("Withdrawn", "已撤回"),
    "expired": ("Expired", "已失效"),
    "unknown": ("Not given", "未填写"),
}

_CODES = (
    catalogue_codes.SHARE_TYPES,
    catalogue_codes.RESOURCE_CATEGORIES,
    catalogue_codes.UPDATE_CYCLES,
    access_codes.PURPOSES,
)
for _choices in _CODES:
    for _choice in _choices:
        TEXT.setdefault(_choice.value, (_choice.en, _choice.zh))


def en(key: str) -> str:
    return TEXT.get(key, (key, key))[0]


def zh(key: str) -> str:
    return TEXT.get(key, (key, key))[1]


def both(key: str) -> str:
    """Chinese, then English: the files' labels."""
    english, chinese = TEXT.get(key, (key, key))
    return chinese if chinese == english else f"{chinese} {english}"


def for_language(lang: str | None):
    """The label function of a page in ``lang`` (Chinese for ``zh*``, else English)."""
    return zh if (lang or "").lower().startswith("zh") else en
