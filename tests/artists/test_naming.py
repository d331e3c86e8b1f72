"""Folding names: one key for the Kazakh, the Russian and the Latin-letter spellings of one name."""
from __future__ import annotations

import pytest

from outreach.naming import fold


@pytest.mark.parametrize("spelling", [
    "Айгерім Сәрсенова", "Айгерим Сарсенова", "Aйгерим  Сарсенова", "  АЙГЕРІМ   САРСЕНОВА ", "айгерiм сарсенова",
])
def test_the_spellings_of_one_name_fold_alike(spelling):
    assert fold(spelling) == fold("Айгерим Сарсенова")


@pytest.mark.parametrize("kazakh,russian", [
    ("Ұлжан Өмірзақова", "Улжан Омирзакова"), ("Ғалым Құнанбаев", "Галым Кунанбаев"),
    ("Үміт Жүсіпова", "Умит Жусипова"), ("Раңғұл Һадиева", "Рангул Хадиева"), ("Пётр Семёнов", "Петр Семенов"),
    ("«Шабыт» мәдениет үйі", "Шабыт мадениет уйи"),
])
def test_kazakh_letters_fold_to_the_russian_ones(kazakh, russian):
    assert fold(kazakh) == fold(russian)


def test_different_names_stay_different():
    assert fold("Айгерім Сәрсенова") != fold("Айгерім Сәрсенбаева")
    assert fold("Анна Ким") != fold("Анна Кім Ли")
