"""Actions: Internal sign-off of requests and answers (2025 art. 20): govshare_request_signoff.

A department's head (its data officer, the sharing-work unit's head) approves what its staff
drafted, on either side of a request: the requesting department's request before it is sent
(status ``awaiting_signoff``), the provider's answer before it is sent (a ``submitted``
request with an ``answer_draft``). The service is ``access/signoff.py``; one transaction.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ... import profiles
from ...access import present, signoff
from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import atomic
from ..schema import access as access_schema
from ..schema import signoff as schema
from ..schema.fields import validate as validated
from .access_request import _request

__all__ = ["govshare_request_signoff"]

SIGNOFF_OFF = message(
    "Internal sign-off is not part of the rule profile in force: requests and answers are sent "
    "as they are made",
    "现行规则未要求部门内部审核：申请和答复直接发出",
)


@validate(schema.request_signoff_schema)
@atomic
def govshare_request_signoff(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A head signs off what their staff drafted (2025 Regulations art. 20).

    On a request waiting for the requesting department's head (``awaiting_signoff``), a data
    officer of that department: ``approve`` sends it (``submitted``; the provider's clock starts
    now, or goes on with the working days left after a provider's return), ``return`` sends it
    back to the drafter (``signoff_returned``). On a submitted request with an answer drafted
    by the provider's staff, a data officer of the provider: ``approve`` takes the drafted
    decision as theirs (approve, reject or return, as drafted), ``return`` clears the draft
    (the request stays submitted; its clock runs on).

    :param id: the request
    :param decision: approve | return
    :param reason: why; required to return
    :returns: the request; when a drafted approval is signed off, with the ``grant`` it created
    """
    request = _request(context, data_dict, "govshare_request_signoff")
    if not profiles.on("internal_signoff") and signoff.side_of(request) is None:
        raise tk.ValidationError({"id": [SIGNOFF_OFF]})
    person = Person.of(context)
    decision, reason = data_dict["decision"], data_dict.get("reason") or None
    side = signoff.side_of(request)
    grant = None
    if side == signoff.REQUESTER_SIDE:
        updated = signoff.sign_off_request(request, person, decision, reason)
    elif side == signoff.PROVIDER_SIDE:
        draft = None
        if decision == "approve":
            # The drafted input, checked again as the provider's decision is (art. 21).
            stored = request.get("answer_draft") or {}
            drafted = {k: stored[k] for k in signoff.DRAFT_FIELDS if k in stored}
            if "missing_items" in drafted:  # a list of objects comes as JSON, as from a form
                drafted["missing_items"] = json.dumps(drafted["missing_items"])
            draft = validated(
                {**drafted, "id": request["id"]}, access_schema.request_decide_schema(), context
            )
        updated, grant = signoff.sign_off_answer(request, person, decision, reason, draft)
    else:
        raise tk.ValidationError({"id": [signoff.NO_DRAFT]})
    roles = person.request_roles(updated)
    result = present.request_dict(updated, with_history=True, sides=signoff.sides_of(roles))
    if grant is not None:
        result["grant"] = present.grant_dict(grant)
    return result
