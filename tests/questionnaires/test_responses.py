"""Responses are validated item by item, scored on receipt, corrected by replacement, and raise red flags; their
list costs the same number of SQL statements however many there are."""
from __future__ import annotations

import pytest

from tests.factories import INTAKE, UNKNOWN_ID, instant_ahead, statements_for

KUJALA_ITEMS = ["limp", "support", "walking", "stairs", "squatting", "running", "jumping", "prolonged_sitting",
                "pain", "swelling", "abnormal_kneecap_movements", "thigh_atrophy", "flexion_deficiency"]
TAKEN = "2026-09-01T10:30:00+02:00"


@pytest.fixture
def definitions(as_therapist):
    cache = {}

    def get(code):
        if code not in cache:
            cache[code] = as_therapist.get(f"/api/v1/questionnaires/{code}").get_json()
        return cache[code]
    return get


def by_option_index(definition, indexes):
    """Answers choosing, for each item in order, the option at that index (0 = best for Kujala)."""
    return {item["id"]: item["options"][index]["code"] for item, index in zip(definition["items"], indexes,
                                                                               strict=True)}


@pytest.fixture
def respond(as_therapist, create_episode):
    episode = create_episode()

    def post(questionnaire, answers, client=None, **fields):
        body = {"questionnaire": questionnaire, "answers": answers, "taken_at": TAKEN, **fields}
        return (client or as_therapist).post(f"/api/v1/episodes/{episode['id']}/responses", json=body)
    post.episode = episode
    return post


def test_kujala_is_scored_on_receipt(respond, definitions):
    kujala = definitions("kujala")
    # Hand-worked from the 1993 points: 3+5+3+8+4+8+7+8+8+8+10+3+5 = 80.
    mixed = by_option_index(kujala, [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0])

    response = respond("kujala", mixed, source="patient")

    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/api/v1/responses/{response.get_json()['id']}")
    body = response.get_json()
    assert body["score"] == {"total": 80, "subscales": {}, "min": 0, "max": 100, "higher_is_better": True,
                             "missing_items": []}
    assert body["questionnaire"] == "kujala" and body["version"] == 1 and body["source"] == "patient"
    assert body["taken_at"] == "2026-09-01T08:30:00+00:00"
    assert body["answers"] == mixed and body["red_flags"] == []


@pytest.mark.parametrize(("index", "total"), [(0, 100), (-1, 0)])
def test_kujala_best_and_worst(respond, definitions, index, total):
    kujala = definitions("kujala")

    response = respond("kujala", by_option_index(kujala, [index] * 13))

    assert response.get_json()["score"]["total"] == total


def test_lefs_sums_twenty_items(respond, definitions):
    lefs = definitions("lefs")
    # 10 items "no difficulty" (4), 6 "moderate" (2), 4 "extreme" (0): 40 + 12 + 0 = 52.
    answers = by_option_index(lefs, [4] * 10 + [2] * 6 + [0] * 4)

    assert respond("lefs", answers).get_json()["score"]["total"] == 52


def test_koos_pf_scores_with_at_least_six_answers(respond, definitions):
    koos = definitions("koos_pf")
    codes = [option["code"] for option in koos["items"][0]["options"]]  # 0 none … 4 extreme
    # Six answered: points 1,1,2,2,1,0 → mean 7/6 → 100 − 25 × 7/6 = 70.833… → 70.8.
    six = {f"pf{n}": codes[p] for n, p in zip(range(1, 7), [1, 1, 2, 2, 1, 0], strict=True)}
    five = {key: six[key] for key in list(six)[:5]}

    scored = respond("koos_pf", six).get_json()["score"]
    not_scored = respond("koos_pf", five)

    assert scored["total"] == 70.8
    assert scored["missing_items"] == ["pf7", "pf8", "pf9", "pf10", "pf11"]
    assert not_scored.status_code == 201
    assert not_scored.get_json()["score"]["total"] is None
    assert len(not_scored.get_json()["score"]["missing_items"]) == 6


def test_psfs_keeps_each_activity_with_its_rating(respond):
    answers = {"activity_1_name": "Running downhill", "activity_1": 3, "activity_2_name": "Stairs down",
               "activity_2": 6, "activity_3_name": "Squatting to tie shoes", "activity_3": 8}

    body = respond("psfs", answers).get_json()

    assert body["score"]["total"] == 5.7  # (3 + 6 + 8) / 3 = 5.666… → 5.7
    assert body["answers"]["activity_1_name"] == "Running downhill"


def test_nprs_and_groc_are_single_items(respond):
    assert respond("nprs", {"pain": 7}).get_json()["score"]["total"] == 7
    groc = respond("groc", {"global_change": -2}).get_json()["score"]
    assert groc["total"] == -2 and groc["min"] == -7 and groc["higher_is_better"] is True


def test_intake_is_stored_unscored(respond):
    body = respond("runner_intake", INTAKE).get_json()

    assert body["score"] is None
    assert body["red_flags"] == []


@pytest.mark.parametrize(("questionnaire", "answers", "field"), [
    ("nprs", {"pain": 11}, "answers.pain"),
    ("nprs", {"pain": "7"}, "answers.pain"),
    ("nprs", {"pain": 6.5}, "answers.pain"),
    ("nprs", {"pain": True}, "answers.pain"),
    ("nprs", {}, "answers.pain"),
    ("nprs", {"pain": 3, "mood": 2}, "answers.mood"),
    ("kujala", {"limp": "sometimes"}, "answers.limp"),
    ("kujala", {"limp": "none"}, "answers.support"),
    ("groc", {"global_change": -8}, "answers.global_change"),
    ("psfs", {"activity_1": 3, "activity_2_name": "Hills", "activity_2": 2, "activity_3_name": "Stairs",
              "activity_3": 5}, "answers.activity_1_name"),
])
def test_bad_answers_are_422_naming_the_item_and_nothing_is_stored(respond, as_therapist, questionnaire,
                                                                   answers, field):
    response = respond(questionnaire, answers)

    assert response.status_code == 422
    assert field in response.get_json()["errors"], response.get_json()
    listed = as_therapist.get(f"/api/v1/episodes/{respond.episode['id']}/responses").get_json()
    assert listed["total"] == 0


@pytest.mark.parametrize(("fields", "field"), [
    ({"questionnaire": "womac"}, "questionnaire"),
    ({"version": 7}, "version"),
    ({"taken_at": instant_ahead(hours=1)}, "taken_at"),
    ({"taken_at": "2026-08-31T23:00:00+00:00"}, "taken_at"),
    ({"taken_at": "2026-09-01T10:00:00"}, "taken_at"),
    ({"source": "family"}, "source"),
    ({"replaces": UNKNOWN_ID}, "replaces"),
    ({"answers": ["pain", 3]}, "answers"),
])
def test_bad_response_fields_are_422(respond, fields, field):
    body = {"questionnaire": "nprs", "answers": {"pain": 3}, **fields}
    response = respond(body.pop("questionnaire"), body.pop("answers"), **body)

    assert response.status_code == 422
    assert field in response.get_json()["errors"], response.get_json()


def test_a_correction_replaces_the_response_and_keeps_the_old_one(respond, as_therapist, as_admin):
    wrong = respond("nprs", {"pain": 9}).get_json()

    corrected = respond("nprs", {"pain": 6}, replaces=wrong["id"])

    assert corrected.status_code == 201 and corrected.get_json()["replaces"] == wrong["id"]
    listing = f"/api/v1/episodes/{respond.episode['id']}/responses"
    current = as_therapist.get(listing).get_json()["items"]
    assert [r["score"]["total"] for r in current] == [6]
    everything = as_therapist.get(listing, query_string={"include_replaced": "true"}).get_json()["items"]
    old = next(r for r in everything if r["id"] == wrong["id"])
    assert old["replaced"] is True and old["answers"] == {"pain": 9}
    assert respond("nprs", {"pain": 5}, replaces=wrong["id"]).status_code == 409
    assert respond("kujala", {}, replaces=corrected.get_json()["id"]).status_code == 422
    actions = [e["action"] for e in as_admin.get("/api/v1/audit-events", query_string={
        "patient_id": respond.episode["patient_id"]}).get_json()["items"]]
    assert "questionnaire_response.replace" in actions


def test_front_desk_enters_an_intake_and_reads_it_back(respond, as_front_desk):
    created = respond("runner_intake", INTAKE, client=as_front_desk, source="patient")

    assert created.status_code == 201
    assert as_front_desk.get(created.headers["Location"]).get_json()["answers"] == INTAKE
    assert as_front_desk.get(f"/api/v1/responses/{UNKNOWN_ID}").status_code == 404


def test_listing_filters_by_questionnaire_latest_first(respond, as_therapist):
    respond("nprs", {"pain": 7}, taken_at="2026-09-01T09:00:00+00:00")
    respond("nprs", {"pain": 4}, taken_at="2026-09-15T09:00:00+00:00")
    respond("groc", {"global_change": 3}, taken_at="2026-09-15T09:00:00+00:00")

    listed = as_therapist.get(f"/api/v1/episodes/{respond.episode['id']}/responses",
                              query_string={"questionnaire": "nprs"}).get_json()

    assert [r["score"]["total"] for r in listed["items"]] == [4, 7]



def test_response_list_is_bounded(count_queries, as_therapist, episode, create_response):
    url = f"/api/v1/episodes/{episode['id']}/responses"
    create_response(episode["id"], answers={"pain": 7})
    few = statements_for(count_queries, as_therapist, url)
    for pain in range(10):
        create_response(episode["id"], answers={"pain": pain})
    create_response(episode["id"], questionnaire="groc", answers={"global_change": 2})

    many = statements_for(count_queries, as_therapist, url)

    assert 0 < few == many <= 6
