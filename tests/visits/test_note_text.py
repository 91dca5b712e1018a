"""The text of visit notes: each part bounded (20,000 characters), and kept exactly as written, white space,
line breaks and every script included."""
from __future__ import annotations

import pytest

from tests.factories import EVALUATION, NOTE_MAX, visit_url, visits_url

SOAP = ("subjective", "objective", "assessment", "plan")


@pytest.mark.parametrize("field", SOAP)
def test_a_note_part_of_exactly_20000_characters_is_kept(as_therapist, episode, field):
    text = "é" * (NOTE_MAX - 2) + "🦵\n"

    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, field: text})

    assert response.status_code == 201, response.get_json()
    assert len(response.get_json()[field]) == NOTE_MAX
    assert as_therapist.get(visit_url(response.get_json()["id"])).get_json()[field] == text


WRITTEN_AS_IS = [
    pytest.param("  Leading and trailing spaces  ", id="spaces"),
    pytest.param("\tTabbed\tcolumns\t", id="tabs"),
    pytest.param("\nLine one\n\n  indented line two\n", id="newlines"),
    pytest.param("Windows\r\nline breaks\r\n", id="crlf"),
    pytest.param("Schmerz beim Treppabgehen – 7/10 ≥ gestern; 膝の痛み; 🏃‍♀️🦵💥", id="unicode-and-emoji"),
]


@pytest.mark.parametrize("text", WRITTEN_AS_IS)
@pytest.mark.parametrize("field", SOAP)
def test_note_text_is_kept_exactly_as_written(as_therapist, episode, field, text):
    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, field: text})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()[field] == text
    assert as_therapist.get(visit_url(response.get_json()["id"])).get_json()[field] == text


@pytest.mark.parametrize("text", WRITTEN_AS_IS)
def test_a_changed_note_and_an_addendum_are_kept_exactly_as_written(as_therapist, evaluation, text):
    url = visit_url(evaluation["id"])

    changed = as_therapist.patch_current(url, {"assessment": text})
    as_therapist.post(f"{url}/sign")
    addendum = as_therapist.post(f"{url}/addenda", json={"text": text})

    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["assessment"] == text
    assert addendum.status_code == 201, addendum.get_json()
    shown = as_therapist.get(url).get_json()
    assert shown["assessment"] == text
    assert [a["text"] for a in shown["addenda"]] == [text]
