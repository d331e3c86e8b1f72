"""The certificates page and PDFs in the browser's client: what a school and a coordinator see."""
from __future__ import annotations

import io

from pypdf import PdfReader

from outreach.certificates import views
from tests.certificates.helpers import world


def test_a_school_sees_its_qualifying_students_per_initiative_and_class(client, login):
    w = world()
    login(w["rep"])  # who reads Russian
    page = client.get("/certificates").get_data(as_text=True)
    assert "Сертификаты участников" in page and "№45 мектеп-гимназия" in page
    assert "Құрманов" in page and "Сейітқызы" in page
    assert "Ахметова" not in page  # two workshops attended
    assert "Петрова" not in page  # another school's
    assert "5 класс" in page and "Сертификаты всего класса (PDF)" in page
    assert f"/certificates/schools/{w['school'].id}.pdf?initiative_id={w['initiative'].id}&amp;grade=5&amp;lang=kk" in page
    assert f"/certificates/students/{w['aliya'].id}.pdf?initiative_id={w['initiative'].id}&amp;lang=kk" in page


def test_a_school_cannot_open_another_schools_list_or_pdfs(client, login):
    w = world()
    login(w["rep"])
    assert client.get(f"/certificates?school_id={w['other_school'].id}").status_code == 200  # its own list
    assert "Петрова" not in client.get(f"/certificates?school_id={w['other_school'].id}").get_data(as_text=True)
    assert client.get(f"/certificates/students/{w['other'].id}.pdf?initiative_id={w['initiative'].id}").status_code == 404
    assert client.get(f"/certificates/schools/{w['other_school'].id}.pdf"
                      f"?initiative_id={w['initiative'].id}").status_code == 404


def test_a_coordinator_chooses_the_school(client, login):
    w = world()
    login("coordinator")
    assert "Петрова" not in client.get("/certificates").get_data(as_text=True)
    page = client.get(f"/certificates?school_id={w['other_school'].id}").get_data(as_text=True)
    assert "Петрова" in page and "Сейітқызы" not in page


def test_the_class_pdf_and_a_students_pdf(client, login):
    w = world()
    login(w["rep"])
    response = client.get(f"/certificates/schools/{w['school'].id}.pdf?initiative_id={w['initiative'].id}&grade=5"
                          f"&lang=ru")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2
    assert "Сертификат участника" in reader.pages[0].extract_text()
    # the page's language stays the person's own after a download in another language
    assert '<html lang="ru">' in client.get("/certificates").get_data(as_text=True)
    refused = client.get(f"/certificates/students/{w['dana'].id}.pdf?initiative_id={w['initiative'].id}")
    assert refused.status_code == 409 and "Посещено: 2." in refused.get_data(as_text=True)
    assert client.get(f"/certificates/students/{w['aliya'].id}.pdf").status_code == 404  # no initiative


def test_the_students_page_links_to_its_certificate(client, login):
    w = world()
    login(w["rep"])
    aliya = client.get(f"/students/{w['aliya'].id}").get_data(as_text=True)
    assert f"/certificates/students/{w['aliya'].id}.pdf?initiative_id={w['initiative'].id}" in aliya
    dana = client.get(f"/students/{w['dana'].id}").get_data(as_text=True)
    assert f"/certificates/students/{w['dana'].id}.pdf" not in dana and "не менее 3 мастер-классов" in dana


def test_the_list_is_paginated(client, login, monkeypatch):
    w = world()
    monkeypatch.setattr(views, "PER_PAGE", 1)
    login(w["rep"])
    first = client.get("/certificates").get_data(as_text=True)
    second = client.get("/certificates?page=2").get_data(as_text=True)
    assert ("Құрманов" in first) != ("Құрманов" in second)
    assert ("Сейітқызы" in first) != ("Сейітқызы" in second)
    assert "Страница 1 из 2" in first


def test_a_bilingual_school_gets_its_representatives_language(client, login):
    w = world(languages=("kk", "ru"))
    login(w["rep"])  # reads Russian
    page = client.get("/certificates").get_data(as_text=True)
    assert f"initiative_id={w['initiative'].id}&amp;lang=ru" in page
