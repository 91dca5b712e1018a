"""Each region gets its own intake: the knee the runner intake, every other region the running-injury
intake, whose red-flag screen asks that region's questions (cauda equina signs for the lumbar spine)."""
from __future__ import annotations

import pytest

from tests.factories import API, assert_problem

LUMBAR = {"body_region": "lumbar_spine", "side": "not_applicable", "diagnosis_code": "M54.50",
          "diagnosis_text": "Low back pain", "start_date": "2026-09-01", "onset_date": "2026-08-20"}
SCREEN = {"fever_or_unwell": False, "night_pain_wakes": False, "unexplained_weight_loss": False,
          "history_of_cancer": False, "calf_pain_swelling": False, "leg_numbness_tingling": False,
          "pain_at_rest_or_night_with_focal_bone_tenderness": False, "pain_on_hopping": False}
CAUDA_EQUINA = {"saddle_numbness": False, "bladder_or_bowel_change": False, "progressive_leg_weakness": False}
LEG = {"hip_or_groin_pain": False, "unable_to_bear_weight_four_steps": False}


def general_intake(**answers):
    return {"questionnaire": "running_injury_intake", "taken_at": "2026-09-01T09:00:00+00:00", "source": "patient",
            "answers": {"main_complaint": "Pain when running.", "side": "left", "pain_now": 3, **SCREEN, **answers}}


def test_a_lumbar_intake_asks_the_cauda_equina_signs(as_front_desk, create_episode):
    episode = create_episode(**LUMBAR)
    answer = as_front_desk.post(f"{API}/episodes/{episode['id']}/responses", json=general_intake())
    errors = assert_problem(answer, 422)["errors"]
    assert set(errors) == {f"answers.{item}" for item in CAUDA_EQUINA} | {"answers.hip_or_groin_pain"}


@pytest.mark.parametrize("sign", sorted(CAUDA_EQUINA))
def test_each_cauda_equina_sign_raises_the_flag_for_review(as_front_desk, as_therapist, create_episode, sign):
    episode = create_episode(**LUMBAR)
    answer = as_front_desk.post(f"{API}/episodes/{episode['id']}/responses",
                                json=general_intake(**{**CAUDA_EQUINA, sign: True}, hip_or_groin_pain=False))
    assert answer.status_code == 201, answer.get_json()
    assert [flag["code"] for flag in answer.get_json()["red_flags"]] == ["cauda_equina"]
    assert [flag["code"] for flag in as_therapist.get(f"{API}/episodes/{episode['id']}").get_json()["red_flags"]] \
        == ["cauda_equina"]


def test_an_ankle_intake_asks_the_leg_questions_and_not_the_back_ones(as_front_desk, create_episode):
    episode = create_episode(body_region="ankle", diagnosis_code="M76.60", diagnosis_text="Achilles tendinopathy")
    assert set(assert_problem(as_front_desk.post(f"{API}/episodes/{episode['id']}/responses",
                                                 json=general_intake()), 422)["errors"]) == {
        f"answers.{item}" for item in LEG}
    refused = as_front_desk.post(f"{API}/episodes/{episode['id']}/responses",
                                 json=general_intake(**LEG, saddle_numbness=False))
    assert "answers.saddle_numbness" in assert_problem(refused, 422)["errors"]  # not asked for an ankle

    answer = as_front_desk.post(f"{API}/episodes/{episode['id']}/responses",
                                json=general_intake(**LEG | {"unable_to_bear_weight_four_steps": True}))
    assert [flag["code"] for flag in answer.get_json()["red_flags"]] == ["fracture_ottawa"]


def test_the_due_intake_follows_the_region(as_front_desk, create_episode):
    knee, back = create_episode(), create_episode(**LUMBAR)
    due = {episode["body_region"]: as_front_desk.get(f"{API}/episodes/{episode['id']}/due").get_json()["items"][0]
           for episode in (knee, back)}
    assert (due["knee"]["questionnaire"], due["lumbar_spine"]["questionnaire"]) == ("runner_intake",
                                                                                      "running_injury_intake")
