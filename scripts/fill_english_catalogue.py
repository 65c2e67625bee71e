"""Fill the English catalogue: our msgids are English, so each English msgstr is its msgid.

Run by `make messages` after makemessages; entries already translated are kept, except fuzzy ones: makemessages
guesses those from a similar older msgid, so they are filled again from their own msgid.
"""

import sys
from pathlib import Path

import polib


def fill(path: Path) -> int:
    catalogue = polib.pofile(str(path))
    filled = 0
    for entry in catalogue:
        fuzzy = "fuzzy" in entry.flags
        if fuzzy:
            entry.flags.remove("fuzzy")
            entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
        if entry.msgid_plural:
            if fuzzy or not any(entry.msgstr_plural.values()):
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                filled += 1
        elif fuzzy or not entry.msgstr:
            entry.msgstr = entry.msgid
            filled += 1
    catalogue.save()
    return filled


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    for po in sorted((root / "locale" / "en" / "LC_MESSAGES").glob("*.po")):
        print(f"{po.relative_to(root)}: {fill(po)} entries filled")
    sys.exit(0)
