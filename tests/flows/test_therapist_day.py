"""The therapist's day end to end: evaluate, follow up, sign, add an addendum, record pain and runs, set and
meet a goal, discharge."""
from __future__ import annotations

from tests.factories import EVALUATION, visits_url


def test_a_therapists_day(as_therapist, as_front_desk, episode):
    ep = f"/api/v1/episodes/{episode['id']}"

    evaluation = as_therapist.post(visits_url(episode["id"]), json=EVALUATION)
    assert evaluation.status_code == 201, evaluation.get_json()
    note = evaluation.get_json()
    assert evaluation.headers["Location"].endswith(f"/api/v1/visits/{note['id']}")
    assert note["status"] == "draft" and note["signed_at"] is None
    assert note["therapist_id"] == str(as_therapist.user.id)
    assert note["subjective"] == EVALUATION["subjective"]  # kept exactly, line break and spaces included
    assert [(p["context"], p["score"]) for p in note["pain_scores"]] == [("stairs_down", 7), ("current", 5)]
    assert all(p["visit_id"] == note["id"] for p in note["pain_scores"])

    signed = as_therapist.post(f"/api/v1/visits/{note['id']}/sign")
    assert signed.status_code == 200
    assert signed.get_json()["status"] == "signed"
    assert signed.get_json()["signed_by"] == str(as_therapist.user.id)
    assert as_therapist.patch_current(f"/api/v1/visits/{note['id']}", {"plan": "changed"}).status_code == 409

    addendum = as_therapist.post(f"/api/v1/visits/{note['id']}/addenda",
                                 json={"text": "Correction: hip abductors 4-/5 on the left."})
    assert addendum.status_code == 201
    shown = as_therapist.get(f"/api/v1/visits/{note['id']}").get_json()
    assert [a["text"] for a in shown["addenda"]] == ["Correction: hip abductors 4-/5 on the left."]
    assert shown["plan"] == EVALUATION["plan"]

    follow_up = as_therapist.post(visits_url(episode["id"]), json={
        "visit_date": "2026-09-08", "visit_type": "follow_up", "subjective": "Better on stairs.",
        "objective": "Squat pain-free to 60°.", "assessment": "Improving.", "plan": "Start run/walk.",
        "pain_scores": [{"score": 4, "context": "stairs_down"}]})
    assert follow_up.status_code == 201
    assert as_therapist.post(f"/api/v1/visits/{follow_up.get_json()['id']}/sign").status_code == 200

    assert as_therapist.post(f"{ep}/pain-scores", json={
        "score": 3, "context": "during_running", "recorded_at": "2026-09-10T07:30:00+02:00"}).status_code == 201
    for day, km, pain in (("2026-09-10", 3, 3), ("2026-09-12", 4, 2), ("2026-09-29", 20, 1),
                          ("2026-10-01", 21, 0)):
        run = as_therapist.post(f"{ep}/runs", json={
            "run_date": day, "distance_km": km, "duration_min": km * 6, "run_walk": "4:1" if km < 10 else None,
            "surface": "road", "pain_during": pain, "pain_after": pain, "notes": None})
        assert run.status_code == 201, run.get_json()

    goal = as_therapist.post(f"{ep}/goals", json={
        "text": "Back to 40 km a week pain-free", "target_date": "2026-11-01",
        "target": {"measure": "weekly_distance_km", "value": 40}})
    assert goal.status_code == 201
    assert goal.get_json()["status"] == "active"
    met = as_therapist.patch_current(f"/api/v1/goals/{goal.get_json()['id']}",
                                     {"status": "met", "status_date": "2026-10-04"})
    assert met.status_code == 200
    assert met.get_json()["status"] == "met" and met.get_json()["status_date"] == "2026-10-04"

    weekly = as_therapist.get(f"{ep}/runs/weekly").get_json()
    assert weekly["pre_injury_weekly_km"] == 40
    assert [(w["week_start"], w["runs"], w["distance_km"]) for w in weekly["weeks"]] == [
        ("2026-09-07", 2, 7), ("2026-09-14", 0, 0), ("2026-09-21", 0, 0), ("2026-09-28", 2, 41)]
    assert weekly["weeks"][0]["max_pain"] == 3 and weekly["weeks"][0]["pain_free"] is False
    assert weekly["return_to_run"] == {"week_start": "2026-09-28", "weeks_since_start": 4}

    discharge_visit = as_therapist.post(visits_url(episode["id"]), json={
        "visit_date": "2026-10-06", "visit_type": "discharge", "subjective": "Running 40 km without pain.",
        "objective": "Full squat pain-free.", "assessment": "Goals met.", "plan": "Discharge to self-management."})
    due = as_therapist.get(f"{ep}/due").get_json()
    assert "groc" in [item["questionnaire"] for item in due["items"]]

    blocked = as_therapist.post(f"{ep}/discharge", json={"discharge_date": "2026-10-06", "reason": "goals_met"})
    assert blocked.status_code == 409
    assert [d["id"] for d in blocked.get_json()["draft_visits"]] == [discharge_visit.get_json()["id"]]

    as_therapist.post(f"/api/v1/visits/{discharge_visit.get_json()['id']}/sign")
    discharged = as_therapist.post(f"{ep}/discharge", json={"discharge_date": "2026-10-06", "reason": "goals_met"})
    assert discharged.status_code == 200

    assert as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, "visit_type": "follow_up",
                                                        "visit_date": "2026-10-06"}).status_code == 409
    assert as_therapist.post(f"{ep}/pain-scores", json={"score": 0, "context": "current"}).status_code == 409

    listed = as_front_desk.get(visits_url(episode["id"])).get_json()["items"]
    assert [(v["visit_date"], v["visit_type"], v["status"]) for v in listed] == [
        ("2026-09-01", "initial_evaluation", "signed"), ("2026-09-08", "follow_up", "signed"),
        ("2026-10-06", "discharge", "signed")]
    assert all("subjective" not in v and "pain_scores" not in v for v in listed)
