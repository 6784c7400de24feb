"""Exchange targets' connection strings encrypted at rest (前置机, 2016 Measures art. 12; the
2025 Regulations art. 34-35 make the platform answer for the security of what it holds).

Fernet (``cryptography``: AES-128-CBC and HMAC-SHA256) keyed by
``ckanext.govshare.exchange.key``. The setting may hold several keys separated by commas or
spaces: the first encrypts, every one decrypts, so a key is rotated by putting the new one
first, re-saving the targets (``targets.rekey``), then dropping the old one.

Every problem is a :class:`SecretError` with a bilingual message; it never holds the
connection string.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ..core import config
from ..core.messages import message

__all__ = ["SecretError", "decrypt", "encrypt", "fernet", "rotate"]

NO_KEY = message(
    "PostgreSQL targets cannot be saved: ckanext.govshare.exchange.key is not set (ask the "
    "site's administrator)",
    "未配置 ckanext.govshare.exchange.key，无法保存 PostgreSQL 交换目标（请联系系统管理员）",
)
BAD_KEY = message(
    "ckanext.govshare.exchange.key is not a valid key (32 random bytes in URL-safe base64; ask "
    "the site's administrator)",
    "ckanext.govshare.exchange.key 不是有效的密钥（须为 URL 安全 base64 编码的 32 字节随机数，"
    "请联系系统管理员）",
)
UNREADABLE = message(
    "The stored connection string can no longer be decrypted (the key was changed): enter "
    "it again",
    "已保存的连接串无法解密（密钥已更换），请重新填写",
)


class SecretError(ValueError):
    """A connection string that cannot be encrypted or decrypted: ``text`` says why."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def fernet(keys: str | None = None) -> MultiFernet:
    """The keys of ``keys`` (default: the configured ones), the first encrypting."""
    text = config.exchange_key() if keys is None else keys
    parts = [k for k in text.replace(",", " ").split() if k]
    if not parts:
        raise SecretError(NO_KEY)
    try:
        return MultiFernet([Fernet(k.encode("ascii")) for k in parts])
    except (ValueError, TypeError, UnicodeEncodeError):
        raise SecretError(BAD_KEY) from None


def encrypt(dsn: str, keys: str | None = None) -> str:
    """``dsn`` encrypted with the first key (a URL-safe base64 token, never the plaintext)."""
    return fernet(keys).encrypt(dsn.encode("utf-8")).decode("ascii")


def decrypt(token: str, keys: str | None = None) -> str:
    """The connection string ``token`` holds; ``SecretError`` when no key decrypts it."""
    box = fernet(keys)
    try:
        return box.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretError(UNREADABLE) from None


def rotate(token: str, keys: str | None = None) -> str:
    """``token`` encrypted again with the first key (decrypted with any)."""
    box = fernet(keys)
    try:
        return box.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretError(UNREADABLE) from None
