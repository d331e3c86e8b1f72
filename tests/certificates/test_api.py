"""The certificates through the JSON API: PDFs for the student's own school and staff, the contract's errors."""
from __future__ import annotations

import io

from pypdf import PdfReader

from tests.certificates.helpers import world
from tests.factories import make_initiative, make_user


def pdf_text(body: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(body))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_a_school_downloads_its_students_certificate_in_its_language(api):
    w = world()
    response = api.get(f"/students/{w['aliya'].id}/certificate.pdf?initiative_id={w['initiative'].id}", as_=w["rep"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    pages, text = pdf_text(response.data)
    assert pages == 1
    # the school teaches in Kazakh: the certificate is in Kazakh, every Kazakh letter kept
    for words in ("Сейітқызы Әлия", "Қатысушы сертификаты", "«Аққу көлі» — мектептерге", "Айгерім Сәрсенова",
                  "5-сынып", "4,5", "Балет"):
        assert words in text, words


def test_lang_overrides_the_schools_language(api):
    w = world()
    response = api.get(f"/students/{w['aliya'].id}/certificate.pdf?initiative_id={w['initiative'].id}&lang=ru",
                       as_=w["coordinator"])
    _pages, text = pdf_text(response.data)
    assert "Сертификат участника" in text and "приняла участие" in text and "«Лебединое озеро» — школам" in text
    assert "Сейітқызы Әлия" in text


def test_too_few_workshops_is_409_with_a_translated_error(api):
    w = world()
    response = api.get(f"/students/{w['dana'].id}/certificate.pdf?initiative_id={w['initiative'].id}",
                       as_=w["rep"], lang="ru")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "not_enough_attendance"
    assert "не менее 3 мастер-классов" in error["message"] and "Посещено: 2" in error["message"]
    nobody = make_initiative(title={"kk": "Домбыра үні"})
    response = api.get(f"/schools/{w['school'].id}/certificates.pdf?initiative_id={nobody.id}", as_=w["rep"],
                       lang="kk")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_certificates"
    assert "кемінде 3" in response.get_json()["error"]["message"]


def test_another_schools_student_or_school_is_not_found(api):
    w = world()
    for path in (f"/students/{w['other'].id}/certificate.pdf", f"/schools/{w['other_school'].id}/certificates.pdf"):
        response = api.get(f"{path}?initiative_id={w['initiative'].id}", as_=w["rep"])
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"].endswith("not_found")


def test_a_missing_or_bad_initiative_is_422(api):
    w = world()
    for query in ("", "?initiative_id=", "?initiative_id=abc", "?initiative_id=0", "?initiative_id=999999",
                  f"?initiative_id={w['initiative'].id}&lang=de"):
        response = api.get(f"/students/{w['aliya'].id}/certificate.pdf{query}", as_=w["rep"])
        assert response.status_code == 422, query
        assert response.get_json()["error"]["fields"], query


def test_funders_and_teaching_artists_are_refused(api):
    w = world()
    for user in (make_user("funder"), make_user("artist", artist=w["workshops"][0].artist)):
        for path in (f"/students/{w['aliya'].id}/certificate.pdf", f"/schools/{w['school'].id}/certificates.pdf"):
            response = api.get(f"{path}?initiative_id={w['initiative'].id}", as_=user)
            assert response.status_code == 403, (user.role, path)
            assert b"%PDF" not in response.data


def test_the_schools_pdf_has_one_page_per_qualifying_student(api):
    w = world()
    response = api.get(f"/schools/{w['school'].id}/certificates.pdf?initiative_id={w['initiative'].id}",
                       as_=w["coordinator"])
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pages, text = pdf_text(response.data)
    assert pages == 2  # Ерлан and Әлия; Дана attended two, Мария is of another school
    assert "Құрманов Ерлан" in text and "Сейітқызы Әлия" in text
    assert "Ахметова" not in text and "Петрова" not in text
    one_class = api.get(f"/schools/{w['school'].id}/certificates.pdf?initiative_id={w['initiative'].id}&grade=6",
                        as_=w["coordinator"])
    assert one_class.status_code == 409  # nobody of grade 6 qualifies


def test_a_school_teaching_in_both_languages_gets_the_askers_one(api):
    w = world(languages=("ru", "kk"))
    path = f"/students/{w['aliya'].id}/certificate.pdf?initiative_id={w['initiative'].id}"
    assert "Сертификат участника" in pdf_text(api.get(path, as_=w["rep"], lang="ru").data)[1]
    assert "Қатысушы сертификаты" in pdf_text(api.get(path, as_=w["rep"], lang="kk").data)[1]
    assert "Қатысушы сертификаты" in pdf_text(api.get(path, as_=w["rep"], lang="en").data)[1]  # neither: kk
