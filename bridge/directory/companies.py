"""Company names compared the way a person reads them: "Pharmacie Centrale SARL" is "pharmacie centrale"."""

from __future__ import annotations

import re
import unicodedata

# Legal forms of the companies WOUNDWO sells to (France, Germany, Austria, Switzerland, Benelux, UK).
LEGAL_FORMS = frozenset({
    "gmbh", "ag", "kg", "ohg", "ug", "ek", "ev", "mbh", "co", "gbr", "sarl", "sas", "sasu", "sa", "eurl", "sci", "snc",
    "selarl", "scp", "ltd", "limited", "llp", "plc", "inc", "bv", "nv", "sprl", "srl", "kgaa", "se",
})
# "&", "und", "et", "and" all mean the same in a company name.
AND_WORDS = frozenset({"&", "und", "et", "and", "+"})


def comparable(name: str) -> tuple[str, ...]:
    """The words that identify a company: case, accents, punctuation, legal forms and "and" set aside."""
    without_accents = "".join(char for char in unicodedata.normalize("NFKD", name.casefold())
                              if not unicodedata.combining(char))
    # Umlauts are written out, or not, or lost: Sanitätshaus = Sanitaetshaus = Sanitatshaus.
    without_accents = re.sub(r"([aou])e", r"\1", without_accents)
    # "e.K." and "S.A." are one word each; every other punctuation separates words.
    joined = re.sub(r"\b(\w)\.(?=\w\.)", r"\1", without_accents)
    words = re.findall(r"&|\+|\w+", joined.replace(".", ""))
    return tuple(word for word in words if word not in LEGAL_FORMS and word not in AND_WORDS)


def same_company(typed: str, directory: str) -> bool:
    """Whether what a requester typed names the directory's company (word order and forms aside)."""
    return comparable(typed) == comparable(directory)
