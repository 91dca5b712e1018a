"""Red flags raised by the intake stand on the episode until a therapist acts."""
from __future__ import annotations

import pytest

from tests.factories import AUDIT, intake


@pytest.mark.parametrize(("answers", "flag"), [
    ({"fever_or_unwell_hot_swollen_knee": True}, "infection"),
    ({"night_pain_wakes": True}, "tumour"),
    ({"unexplained_weight_loss": True}, "tumour"),
    ({"locking_or_giving_way": True}, "internal_derangement"),
    ({"unable_to_bear_weight_four_steps": True}, "fracture_ottawa"),
    ({"calf_pain_swelling": True}, "dvt"),
    ({"leg_numbness_tingling": True}, "neurological"),
    ({"pain_on_hopping": True}, "bone_stress_injury"),
    ({"hip_or_groin_pain": True}, "femoral_neck_stress_fracture"),
])
def test_intake_answers_raise_their_red_flag_on_the_episode(as_front_desk, as_therapist, episode, create_response,
                                                           answers, flag):
    response = create_response(episode["id"], client=as_front_desk, **intake(**answers))

    assert [f["code"] for f in response["red_flags"]] == [flag]
    shown = as_therapist.get(f"/api/v1/episodes/{episode['id']}").get_json()["red_flags"]
    assert [f["code"] for f in shown] == [flag]
    assert "review" in shown[0]["message"].lower() or "refer" in shown[0]["message"].lower()


def test_hip_pain_is_a_red_flag_only_under_eighteen(as_front_desk, create_patient, create_episode, create_response):
    adult = create_episode()
    teenager = create_episode(create_patient(date_of_birth="2010-03-01")["id"])

    assert create_response(adult["id"], client=as_front_desk, **intake(hip_or_thigh_pain=True))["red_flags"] == []
    flags = create_response(teenager["id"], client=as_front_desk, **intake(hip_or_thigh_pain=True))["red_flags"]
    assert [f["code"] for f in flags] == ["paediatric_hip"]


def test_a_therapist_acknowledges_a_flag_with_a_note(as_therapist, as_front_desk, as_admin, episode, create_response):
    create_response(episode["id"], client=as_front_desk, **intake(calf_pain_swelling=True, night_pain_wakes=True))
    url = f"/api/v1/episodes/{episode['id']}"

    assert as_front_desk.post(f"{url}/red-flags/dvt/acknowledge", json={"note": "x"}).status_code == 403
    assert as_therapist.post(f"{url}/red-flags/dvt/acknowledge", json={}).status_code == 422
    done = as_therapist.post(f"{url}/red-flags/dvt/acknowledge",
                             json={"note": "Wells score low; GP informed same day."})

    assert done.status_code == 200
    assert [f["code"] for f in done.get_json()["red_flags"]] == ["tumour"]
    assert [f["code"] for f in as_therapist.get(url).get_json()["red_flags"]] == ["tumour"]
    assert as_therapist.post(f"{url}/red-flags/dvt/acknowledge", json={"note": "again"}).status_code == 404
    tumour_id = done.get_json()["red_flags"][0]["id"]
    assert as_therapist.post(f"{url}/red-flags/{tumour_id}/acknowledge",
                             json={"note": "Night pain explained by sleeping position."}).status_code == 200
    assert as_therapist.get(url).get_json()["red_flags"] == []
    trail = as_admin.get(AUDIT, query_string={"action": "red_flag.acknowledge"}).get_json()
    assert trail["total"] == 2
