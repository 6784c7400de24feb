"""Actions: Internal sign-off of requests and answers (2025 art. 20): govshare_request_signoff."""

from __future__ import annotations

__all__: list[str] = []
