"""The roles of workflows.md, written once (issue 15): who acts towards a request, a grant or
a report. Plain Python, so the rules modules (``access/workflow.py``) name them too; who
holds which role is ``core.membership``.
"""

from __future__ import annotations

import enum

__all__ = ["OFFICER_CAPACITIES", "Role"]

#: The capacities of a department's data officers (they decide, answer and discharge for it).
OFFICER_CAPACITIES = ("admin", "editor")


class Role(str, enum.Enum):
    REQUESTER = "requester"  # a member of the requesting department
    # A data officer of the requesting department: its sharing-work head, who signs off the
    # requests its staff draft (2025 art. 20).
    REQUESTER_OFFICER = "requester_officer"
    PROVIDER = "provider"  # a data officer (admin/editor) of the providing department
    # A member of the providing department who is not its data officer: drafts answers for the
    # head to sign off (2025 art. 20).
    PROVIDER_STAFF = "provider_staff"
    AUTHORITY = "authority"  # a member of the sharing authority
    CONFERENCE = "conference"  # a member of the joint conference
    SYSTEM = "system"  # the platform itself (`ckan govshare remind`)
    SYSADMIN = "sysadmin"
