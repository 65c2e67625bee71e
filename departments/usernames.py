"""Usernames are folded once, the same way wherever they are stored or matched (README, "Usernames").

A username is kept in its folded form: Unicode NFKC (full-width ａｄｍｉｎ becomes admin) and case-folded
(ADMIN becomes admin), so that two spellings a person cannot tell apart never name two accounts. Letters of
another script that look like Latin ones (Cyrillic і in admіn) survive folding, so a username mixing Latin
with Cyrillic or Greek letters is refused, and so is one that differs from an existing account only by such
look-alikes. The look-alike table below covers the Cyrillic and Greek letters that are drawn like Latin
ones in common fonts (after Unicode's confusables list), which is what an adversary would use here.
"""

from __future__ import annotations

import unicodedata

# Scripts whose letters are drawn like Latin ones; mixing any two of them in one username is refused.
_LOOKALIKE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})

# Lower-case Cyrillic and Greek letters, each mapped to the Latin letter it looks like.
_LATIN_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "с": "c",
        "ԁ": "d",
        "е": "e",
        "ё": "e",
        "һ": "h",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "к": "k",
        "ӏ": "l",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "ԛ": "q",
        "ѕ": "s",
        "т": "t",
        "у": "y",
        "ԝ": "w",
        "х": "x",
        "ь": "b",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
    }
)


def fold_username(text: str) -> str:
    """The form a username is stored and matched in: NFKC, case-folded, spaces trimmed."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def username_skeleton(text: str) -> str:
    """What a username looks like: folded, with Cyrillic and Greek look-alikes read as the Latin letters."""
    return fold_username(text).translate(_LATIN_LOOKALIKES)


def mixes_scripts(text: str) -> bool:
    """Whether a username holds letters of two scripts that look alike (Latin with Cyrillic, say)."""
    scripts = {_script(character) for character in text if character.isalpha()}
    return len(scripts & _LOOKALIKE_SCRIPTS) > 1


def _script(character: str) -> str:
    # The first word of a letter's Unicode name is its script: LATIN SMALL LETTER A, CYRILLIC SMALL LETTER A.
    return unicodedata.name(character, "").split(" ", 1)[0]
