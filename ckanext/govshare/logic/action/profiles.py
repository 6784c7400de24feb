"""Actions: The rule profile in force: govshare_rule_profile_show (issue 18).

Which text the platform follows — the 2025 Government Data Sharing Regulations or the 2016
Interim Measures — with every number (deadlines, retention) and every rule, each with the
article it comes from. Anyone may read it, anonymous visitors included: the footer of every
page names the profile and links to its table (``/govshare/rules``).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ... import profiles

__all__ = ["govshare_rule_profile_show"]


@tk.side_effect_free
def govshare_rule_profile_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The rule profile in force (``ckanext.govshare.rule_profile``).

    Takes no parameters.

    :returns: ``name`` (``regulation-2025`` | ``measures-2016``), ``title`` (``{"en",
        "zh_Hans_CN"}``), ``default``, ``profiles`` (every name), ``numbers`` (each with
        ``value`` in force, ``profile_value``, ``unit``, ``option`` overriding it, ``article``
        and ``label``) and ``rules`` (each with ``on``, ``article`` and ``label``)
    """
    tk.check_access("govshare_rule_profile_show", context, data_dict)
    return profiles.describe()
