"""``package_search``, its parameters checked before any search backend (issue 14, item 4).

A NUL byte in ``facet.field``, a term of 2,048 characters, ``start`` near 10^20 or a list
where text belongs reached the embedded backend (or Solr) and failed there with a 500; the
two backends also failed differently. Checked here (``hardening/search.py``), every such
search is refused the same way whichever backend runs: 409 with each parameter's message in
English and Chinese from the action API, 400 from the dataset search page. A query whose
syntax the backend cannot parse stays the backend's to refuse (CKAN's "Search Error", 409).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ...hardening import search as search_rules
from ..guard import SearchInputError

__all__ = ["package_search"]


@tk.chained_action
@tk.side_effect_free
def package_search(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's search, once ``hardening/search.py`` finds nothing to refuse (issue 14), with
    the numbers sent empty left out as absent."""
    problems = search_rules.problems(data_dict or {})
    if problems:
        raise SearchInputError({key: [text] for key, text in problems.items()})
    return up_func(context, search_rules.as_sent(data_dict or {}))
