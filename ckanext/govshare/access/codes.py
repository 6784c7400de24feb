"""Code lists of the request form (共享申请, workflows.md) and of grants."""

from __future__ import annotations

from ..catalogue.codes import Choice

PURPOSES = (
    Choice("administrative_basis", "Basis for an administrative act", "行政依据"),
    Choice("work_reference", "Work reference", "工作参考"),
    Choice("data_verification", "Data verification", "数据校核"),
    Choice("business_collaboration", "Business collaboration", "业务协同"),
    Choice("other", "Other", "其他"),
)
PURPOSE_VALUES = frozenset(c.value for c in PURPOSES)

# Who created a grant: the department itself (unconditional), the provider (approval, or
# agreement in negotiation), the body a dispute was escalated to, or data return (回流, 2025
# Regulations art. 24: a standing grant of an upper-level entry to a lower-level department,
# limited to the rows of its region, without extra conditions).
GRANT_SOURCES = ("self_service", "approval", "negotiation", "escalation", "return", "use_change")
SOURCE_RETURN = "return"
# A use change the provider consented to (2025 Regulations art. 25): a new grant beside the
# original one, which still covers the original use.
SOURCE_USE_CHANGE = "use_change"

GRANT_ACTIVE = "active"
GRANT_EXPIRED = "expired"
GRANT_REVOKED = "revoked"
# 2025 Regulations art. 27: sharing suspended pending rectification (every delivery method
# refuses with the reason; resumable), or ended for good.
GRANT_SUSPENDED = "suspended"
GRANT_TERMINATED = "terminated"
GRANT_STATUSES = (
    Choice(GRANT_ACTIVE, "Active", "有效"),
    Choice(GRANT_EXPIRED, "Expired", "已到期"),
    Choice(GRANT_REVOKED, "Revoked", "已撤销"),
    Choice(GRANT_SUSPENDED, "Suspended", "已暂停"),
    Choice(GRANT_TERMINATED, "Terminated", "已终止"),
)

KIND_REQUEST = "request"  # conditional entry (art. 12(2))
KIND_NEGOTIATION = "negotiation"  # not-shared entry (art. 12(3))
KIND_USE_CHANGE = "use_change"  # wider scope, another purpose, a third party (2025 art. 25)
# What a use change asks for (2025 Regulations art. 25).
USE_CHANGE_KINDS = (
    Choice("scope", "Wider scope", "扩大使用范围"),
    Choice("purpose", "Another purpose", "改变使用用途"),
    Choice("third_party", "Passing to a third party", "向第三方提供"),
)
USE_CHANGE_KIND_VALUES = tuple(c.value for c in USE_CHANGE_KINDS)

DECISIONS = ("approve", "reject", "return")
ESCALATION_DECISIONS = ("grant", "deny")

# 2025 Regulations art. 21: a return lists every missing material at once, each under the
# field of the request form it concerns (``missing_items``: [{"field", "note"}]).
MISSING_FIELDS = (
    Choice("purpose_detail", "Purpose of use", "用途说明"),
    Choice("scenario", "Business scenario", "应用场景"),
    Choice("basis", "Basis of the request", "申请依据"),
    Choice("contact", "Contact", "联系方式"),
    Choice("attachment", "Attachment", "附件材料"),
    Choice("resource_ids", "Resources asked for", "申请的资源"),
    Choice("data_items", "Data items asked for", "申请的数据项"),
    Choice("period", "Period of use", "使用期限"),
    Choice("share_method", "Share method", "共享方式"),
    Choice("other", "Other", "其他"),
)
MISSING_FIELD_VALUES = tuple(c.value for c in MISSING_FIELDS)
#: At most this many missing items in one return, each note at most this many characters.
MAX_MISSING_ITEMS = 50
MAX_MISSING_NOTE = 500

# Art. 21: a refusal gives its grounds; missing materials alone are no ground (return instead).
GROUND_MISSING_MATERIALS = "missing_materials"
REJECTION_GROUNDS = (
    Choice(GROUND_MISSING_MATERIALS, "Materials missing", "材料不全"),
    Choice("no_legal_basis", "No legal basis for the need", "缺乏申请依据"),
    Choice("beyond_duties", "Beyond the requesting department's duties", "超出履职需要"),
    Choice("security", "Security or confidentiality", "安全保密原因"),
    Choice("not_in_catalogue", "Not in the published catalogue", "不在共享目录内"),
    Choice("other", "Other", "其他"),
)
REJECTION_GROUND_VALUES = tuple(c.value for c in REJECTION_GROUNDS)

# Art. 21: an extension of the time to answer, asked by the provider, decided by the authority.
EXTENSION_PENDING = "pending"
EXTENSION_APPROVED = "approved"
EXTENSION_REJECTED = "rejected"
EXTENSION_STATUSES = (
    Choice(EXTENSION_PENDING, "Waiting for the authority", "待共享主管部门决定"),
    Choice(EXTENSION_APPROVED, "Approved", "已同意延期"),
    Choice(EXTENSION_REJECTED, "Rejected", "不同意延期"),
)
EXTENSION_DECISIONS = ("approve", "reject")

# Art. 22: the three ways approved data is made available (and anything else the provider
# records when marking a grant delivered by hand).
DELIVERY_METHODS = (
    Choice("file_download", "File download", "文件下载"),
    Choice("service_interface", "Service interface", "服务接口"),
    Choice("batch_exchange", "Batch exchange", "批量交换"),
    Choice("other", "Other", "其他方式"),
)
DELIVERY_METHOD_VALUES = tuple(c.value for c in DELIVERY_METHODS)
