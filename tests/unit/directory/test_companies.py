"""Company names compared as a person would: case, accents, umlauts, punctuation, legal forms, "and"."""

from __future__ import annotations

import pytest

from bridge.directory.companies import same_company


@pytest.mark.parametrize("typed, directory", [
    ("pharmacie centrale", "PHARMACIE CENTRALE SARL"), ("Pharmacie Centrale S.A.R.L.", "Pharmacie Centrale"),
    ("Sanitätshaus Berger e.K.", "Sanitaetshaus Berger"), ("Müller & Söhne GmbH", "Mueller und Soehne"),
    ("S.A. Dupont et Fils", "Dupont & Fils SA"), ("Klinik Süd GmbH & Co. KG", "Klinik Sud"),
    ("Apotheke  Zürich AG", "Apotheke Zuerich"), ("Orthopédie Lefèvre", "ORTHOPEDIE LEFEVRE"),
    ("Smith and Sons Ltd.", "Smith & Sons Limited"), ("Straße-Apotheke", "Strasse Apotheke"),
])
def test_the_same_company_written_differently_is_the_same(typed, directory):
    assert same_company(typed, directory)


@pytest.mark.parametrize("typed, directory", [
    ("Pharmacie du Centre", "Pharmacie Centrale"), ("Apotheke am Markt", "Markt-Apotheke"),
    ("Sanitätshaus Berger", "Sanitätshaus Bergmann"), ("Pharmacie", "Pharmacie Centrale"),
])
def test_a_different_name_is_different(typed, directory):
    assert not same_company(typed, directory)
