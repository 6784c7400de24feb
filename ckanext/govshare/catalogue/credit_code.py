"""The unified social credit code (统一社会信用代码) of a department, checked per GB 32100-2015.

18 characters from a 31-character alphabet (digits and capital letters without I, O, Z, S,
V); the last one is a check character computed from the first 17 with fixed weights.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """What is wrong with the code, or None when it is a valid unified social credit code."""
    if len(code) != LENGTH:
        return "length"
    if any(c not in ALPHABET for c in code):
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def with_check_character(first17: str) -> str:
    """A full code from its first 17 characters (for demo data and tests)."""
    return first17 + check_character(first17)
