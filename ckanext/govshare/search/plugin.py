"""``govshare_search``: the embedded PostgreSQL search backend, in Solr's place."""

from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import yaml
from ckan import model
from ckan.config.declaration.option import Flag

from . import backend, result_cache
from . import model as _model  # noqa: F401 - registers the index table with CKAN's metadata

_DECLARATION = os.path.join(os.path.dirname(__file__), "config_declaration.yaml")


class GovshareSearchPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)

    def update_config(self, config: Any) -> None:
        # Runs before CKAN's start-up Solr schema check: from here on, no call reaches Solr.
        backend.install()
        result_cache.listen(model.Session)

    def declare_config_options(self, declaration: Any, key: Any) -> None:
        """The backend's own options: it runs without the ``govshare`` plugin (CKAN's core
        tests load it alone)."""
        with open(_DECLARATION, encoding="utf-8") as f:
            declaration.load_dict(yaml.safe_load(f))
        # CKAN requires solr_url; a site on the embedded backend needs none (and is told at
        # start-up that one it sets is not used: backend.check_schema_version).
        solr_url = declaration.get("solr_url")
        if solr_url is not None:
            solr_url.flags &= ~Flag.required

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        backend.install()
