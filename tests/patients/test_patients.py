"""The front desk registers and finds patients; nothing invalid is ever stored, and a search costs the same
number of SQL statements however many patients there are."""
from __future__ import annotations

import pytest

from tests.factories import MADDIE, UNKNOWN_ID, statements_for

PATIENTS = "/api/v1/patients"


def test_register_patient_assigns_mrn_and_answers_location(as_front_desk):
    response = as_front_desk.post(PATIENTS, json=MADDIE)

    assert response.status_code == 201
    patient = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/patients/{patient['id']}")
    assert response.headers["ETag"]
    assert patient["mrn"].startswith("C") and len(patient["mrn"]) == 8
    assert patient["first_name"] == "Maddie"
    assert patient["running_profile"] == {"weekly_distance_km": 40, "years_running": 8,
                                          "goal_race": {"name": "City Marathon", "date": "2027-04-18",
                                                        "distance_km": 42.2}}
    assert patient["archived"] is False


def test_names_are_trimmed_and_mrn_normalised(as_front_desk):
    response = as_front_desk.post(PATIENTS, json={**MADDIE, "first_name": "  Maddie ", "mrn": "abc-123"})

    assert response.status_code == 201
    assert response.get_json()["first_name"] == "Maddie"
    assert response.get_json()["mrn"] == "ABC-123"


def test_duplicate_mrn_is_a_conflict(as_front_desk):
    assert as_front_desk.post(PATIENTS, json={**MADDIE, "mrn": "MRN-1"}).status_code == 201

    response = as_front_desk.post(PATIENTS, json={**MADDIE, "first_name": "Other", "mrn": "mrn-1"})

    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert response.get_json()["errors"] == {"mrn": ["Already in use."]}


@pytest.mark.parametrize(("change", "field"), [
    ({"first_name": "   "}, "first_name"),
    ({"last_name": None}, "last_name"),
    ({"first_name": "x" * 101}, "first_name"),
    ({"first_name": "Mad\x00die"}, "first_name"),
    ({"last_name": "Run\ud800ner"}, "last_name"),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
    ({"date_of_birth": "1899-12-31"}, "date_of_birth"),
    ({"date_of_birth": "17/05/1994"}, "date_of_birth"),
    ({"sex": "f"}, "sex"),
    ({"email": "not-an-email"}, "email"),
    ({"phone": "call me"}, "phone"),
    ({"phone": "12"}, "phone"),
    ({"mrn": "has space"}, "mrn"),
    ({"running_profile": {"weekly_distance_km": -1}}, "running_profile.weekly_distance_km"),
    ({"running_profile": {"weekly_distance_km": 1e9}}, "running_profile.weekly_distance_km"),
    ({"running_profile": {"years_running": 200}}, "running_profile.years_running"),
    ({"running_profile": {"goal_race": {"distance_km": 0}}}, "running_profile.goal_race.distance_km"),
    ({"running_profile": {"pace": 5}}, "running_profile.pace"),
    ({"nickname": "Mads"}, "nickname"),
])
def test_invalid_patient_is_rejected_field_by_field_and_not_stored(as_front_desk, change, field):
    before = as_front_desk.get(PATIENTS).get_json()["total"]

    response = as_front_desk.post(PATIENTS, json={**MADDIE, **change})

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 422 and body["title"] == "Validation failed"
    assert field in body["errors"], body
    assert as_front_desk.get(PATIENTS).get_json()["total"] == before


def test_missing_required_fields_are_each_named(as_front_desk):
    response = as_front_desk.post(PATIENTS, json={})

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"first_name", "last_name", "date_of_birth", "sex"}


def test_search_by_name_or_mrn_any_case_and_accents(as_front_desk, create_patient):
    maddie = create_patient()
    create_patient(first_name="Jürgen", last_name="Müller", mrn="KNEE-7")
    create_patient(first_name="Ana", last_name="Runner", date_of_birth="2001-02-03")

    def found(**params):
        body = as_front_desk.get(PATIENTS, query_string=params).get_json()
        return sorted(p["first_name"] for p in body["items"])

    assert found(q="runner") == ["Ana", "Maddie"]
    assert found(q="MADDIE runner") == ["Maddie"]
    assert found(q="muller") == ["Jürgen"]
    assert found(q="knee-7") == ["Jürgen"]
    assert found(q=maddie["mrn"].lower()) == ["Maddie"]
    assert found(q="runner", date_of_birth="2001-02-03") == ["Ana"]
    assert found(q="100%_") == []


def test_list_is_paginated_newest_first(as_front_desk, create_patient):
    for name in ("Ada", "Bea", "Cy"):
        create_patient(first_name=name)

    page = as_front_desk.get(PATIENTS, query_string={"per_page": 2}).get_json()

    assert page["total"] == 3 and page["pages"] == 2 and page["page"] == 1 and page["per_page"] == 2
    assert [p["first_name"] for p in page["items"]] == ["Cy", "Bea"]
    second = as_front_desk.get(PATIENTS, query_string={"per_page": 2, "page": 2}).get_json()
    assert [p["first_name"] for p in second["items"]] == ["Ada"]


@pytest.mark.parametrize("params", [{"per_page": 101}, {"per_page": 0}, {"page": 0}, {"page": "x"},
                                    {"page": 10**30}, {"sort": "name"}])
def test_bad_paging_arguments_are_422(as_front_desk, params):
    response = as_front_desk.get(PATIENTS, query_string=params)

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == set(params)


def test_patch_needs_current_etag(as_front_desk, create_patient):
    patient = create_patient()
    url = f"{PATIENTS}/{patient['id']}"

    assert as_front_desk.patch(url, json={"phone": "+1 555 000 1111"}).status_code == 428
    stale = as_front_desk.patch(url, json={"phone": "+1 555 000 1111"}, headers={"If-Match": '"stale"'})
    assert stale.status_code == 412
    updated = as_front_desk.patch_current(url, {"phone": "+1 555 000 1111", "running_profile": {"years_running": 9}})
    assert updated.status_code == 200
    body = updated.get_json()
    assert body["phone"] == "+1 555 000 1111"
    assert body["running_profile"]["years_running"] == 9
    assert body["running_profile"]["weekly_distance_km"] == 40  # untouched parts of the profile stay


def test_patch_with_old_etag_after_someone_else_changed_it_is_412(as_front_desk, as_therapist, create_patient):
    url = f"{PATIENTS}/{create_patient()['id']}"
    etag = as_front_desk.get(url).headers["ETag"]
    assert as_therapist.patch_current(url, {"email": "new@example.org"}).status_code == 200

    response = as_front_desk.patch(url, json={"email": "other@example.org"}, headers={"If-Match": etag})

    assert response.status_code == 412
    assert as_front_desk.get(url).get_json()["email"] == "new@example.org"


def test_archive_hides_patient_from_lists_but_keeps_the_record(as_front_desk, create_patient):
    patient = create_patient()
    url = f"{PATIENTS}/{patient['id']}"

    assert as_front_desk.delete(url).status_code == 204

    assert as_front_desk.get(PATIENTS).get_json()["total"] == 0
    archived = as_front_desk.get(PATIENTS, query_string={"include_archived": "true"}).get_json()
    assert [p["id"] for p in archived["items"]] == [patient["id"]]
    record = as_front_desk.get(url)
    assert record.status_code == 200 and record.get_json()["archived"] is True
    assert as_front_desk.patch_current(url, {"phone": "+1 555 000 2222"}).status_code == 409
    assert as_front_desk.delete(url).status_code == 204


def test_unknown_patient_is_404(as_front_desk):
    response = as_front_desk.get(f"{PATIENTS}/{UNKNOWN_ID}")

    assert response.status_code == 404
    assert response.get_json()["detail"] == "Patient not found."
    assert as_front_desk.get(f"{PATIENTS}/not-a-uuid").status_code == 404


def test_patient_search_cost_does_not_grow_with_patients(count_queries, as_front_desk, create_patient):
    create_patient()
    few = statements_for(count_queries, as_front_desk, PATIENTS)
    for number in range(15):
        create_patient(first_name=f"Runner{number}")

    many = statements_for(count_queries, as_front_desk, PATIENTS)

    assert 0 < few == many <= 6
