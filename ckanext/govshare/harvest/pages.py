"""One request per catalogue page, not two.

ckanext-dcat's RDF harvester sends a ``HEAD`` before each page's ``GET``, to refuse a page
larger than ``ckanext.dcat.max_file_size`` before reading it; a CKAN site renders the whole
page for a ``HEAD`` too (Flask runs the view and drops the body), so the lower platform built
every page of a harvest twice. This session answers the ``HEAD`` with the ``GET`` itself,
streamed and not yet read: the size check sees the same ``Content-Length``, ckanext-dcat's
reading loop still stops at the size limit, and its ``GET`` that follows gets that response.
"""

from __future__ import annotations

from typing import Any

import requests


class OneRequestPerPage(requests.Session):
    def __init__(self, headers: Any = None) -> None:
        super().__init__()
        if headers:
            self.headers.update(headers)
        self._kept: tuple[str, requests.Response] | None = None

    def head(self, url: Any, **kwargs: Any) -> requests.Response:
        kwargs.pop("allow_redirects", None)
        response = super().get(url, stream=True, **kwargs)
        self._kept = (str(url), response)
        return response

    def get(self, url: Any, **kwargs: Any) -> requests.Response:
        kept, self._kept = self._kept, None
        if kept is not None and kept[0] == str(url) and kwargs.get("stream"):
            return kept[1]
        if kept is not None:
            kept[1].close()
        return super().get(url, **kwargs)
