"""``govshare_search``: the embedded PostgreSQL search backend, in Solr's place."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
from ckan import model

from . import backend, result_cache
from . import model as _model  # noqa: F401 - registers the index table with CKAN's metadata


class GovshareSearchPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    def update_config(self, config: Any) -> None:
        # Runs before CKAN's start-up Solr schema check: from here on, no call reaches Solr.
        backend.install()
        result_cache.listen(model.Session)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        backend.install()
