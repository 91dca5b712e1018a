"""Runs and pain scores marked entered in error (kept, read by id with who, when and why; out of lists, weekly
totals and the episode's date bounds; audited), and the bounds of a run (distance above 0, pace 2:30 to 20:00
min/km), in the API and in the database, with migration 0006 marking the runs stored outside them."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import flask_migrate
import pytest
from sqlalchemy import Date, Numeric, Uuid, column, insert, table
from sqlalchemy.exc import IntegrityError

from clinic_api.core import signals
from clinic_api.core.types import UTCDateTime
from clinic_api.extensions import db
from clinic_api.visits.models import RunLog
from tests.factories import (
    API,
    AUDIT,
    DISCHARGE,
    PAIN_SCORE,
    RUN,
    UNKNOWN_ID,
    WRONG_CHART,
    assert_problem,
    created,
    listed,
    listed_ids,
    mark_entered_in_error,
    read,
    stored_episode,
)

# PAIN_SCORE at a set time (before the later scores below and the discharge of 2026-10-01), in a context the
# context filter picks out, and with a note (that a mark leaves as it was).
PAIN = {**PAIN_SCORE, "context": "stairs_down", "recorded_at": "2026-09-10T08:00:00+00:00", "note": "Morning."}
IN_ERROR_FIELDS = ("entered_in_error_at", "entered_in_error_by", "entered_in_error_reason")
# Each kind of entry: its collection under /episodes/{id} and under /api/v1 alike, and a payload.
ENTRIES = [("runs", RUN), ("pain-scores", PAIN)]


# ---- marking ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("item", "body"), ENTRIES, ids=[item for item, _ in ENTRIES])
def test_a_marked_entry_answers_its_state_as_its_get_shows_it(as_therapist, ep, item, body):
    entry = created(as_therapist.post(f"{ep}/{item}", json=body))
    assert all(entry[name] is None for name in IN_ERROR_FIELDS)
    url = f"{API}/{item}/{entry['id']}"

    answer = mark_entered_in_error(as_therapist, url)

    assert answer == as_therapist.get(url).get_json()
    assert answer["entered_in_error_by"] == str(as_therapist.user.id)
    assert answer["entered_in_error_reason"] == WRONG_CHART["reason"]  # kept exactly, spaces and line break included
    moment = datetime.fromisoformat(answer["entered_in_error_at"])
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 60
    assert {key: answer[key] for key in body} == {key: entry[key] for key in body}  # the entry itself is unchanged


@pytest.mark.parametrize(("item", "body"), ENTRIES, ids=[item for item, _ in ENTRIES])
def test_marking_twice_is_409_and_keeps_the_first_mark(as_therapist, as_other_therapist, ep, item, body):
    url = f"{API}/{item}/{created(as_therapist.post(f'{ep}/{item}', json=body))['id']}"
    first = mark_entered_in_error(as_therapist, url)

    assert_problem(as_other_therapist.post(f"{url}/entered-in-error", json={"reason": "Again."}), 409)
    assert as_therapist.get(url).get_json() == first


@pytest.mark.parametrize(("body", "field"), [
    ({}, "reason"), ({"reason": "   "}, "reason"), ({"reason": "r" * 2001}, "reason"), ({"reason": None}, "reason"),
    ({"reason": 5}, "reason"), ({"reason": "bad\u0000"}, "reason"), ({**WRONG_CHART, "by": "me"}, "by"),
], ids=["missing", "blank", "too-long", "null", "number", "nul", "unknown-field"])
@pytest.mark.parametrize(("item", "payload"), ENTRIES, ids=[item for item, _ in ENTRIES])
def test_a_mark_needs_a_reason_and_a_refused_one_marks_nothing(as_therapist, ep, item, payload, body, field):
    entry = created(as_therapist.post(f"{ep}/{item}", json=payload))
    url = f"{API}/{item}/{entry['id']}"

    assert_problem(as_therapist.post(f"{url}/entered-in-error", json=body), 422, field)
    assert as_therapist.get(url).get_json()["entered_in_error_at"] is None
    assert listed_ids(as_therapist, f"{ep}/{item}") == [entry["id"]]


def test_a_reason_of_2000_characters_is_kept(as_therapist, create_run, episode):
    url = f"{API}/runs/{create_run(episode['id'])['id']}"

    assert mark_entered_in_error(as_therapist, url, reason="r" * 2000)["entered_in_error_reason"] == "r" * 2000


@pytest.mark.parametrize("item", ["runs", "pain-scores"])
@pytest.mark.parametrize("role", ["as_front_desk", "as_admin"])
def test_only_a_therapist_marks_runs_and_pain_scores(request, as_therapist, ep, item, role):
    url = f"{API}/{item}/{created(as_therapist.post(f'{ep}/{item}', json=dict(ENTRIES)[item]))['id']}"

    assert_problem(request.getfixturevalue(role).post(f"{url}/entered-in-error", json=WRONG_CHART), 403)
    assert as_therapist.get(url).get_json()["entered_in_error_at"] is None


@pytest.mark.parametrize("item", ["runs", "pain-scores"])
def test_marking_an_unknown_entry_is_404(as_therapist, item):
    assert_problem(as_therapist.post(f"{API}/{item}/{UNKNOWN_ID}/entered-in-error", json=WRONG_CHART), 404)


def test_a_discharged_episodes_runs_and_pain_scores_may_still_be_marked(as_therapist, create_run,
                                                                        create_pain_score, episode, ep):
    run = create_run(episode["id"])
    score = create_pain_score(episode["id"], **PAIN)
    created(as_therapist.post(f"{ep}/discharge", json=DISCHARGE), 200)

    assert mark_entered_in_error(as_therapist, f"{API}/runs/{run['id']}")["entered_in_error_at"] is not None
    assert mark_entered_in_error(as_therapist, f"{API}/pain-scores/{score['id']}")["entered_in_error_at"] is not None
    assert_problem(as_therapist.post(f"{ep}/runs", json=RUN), 409)  # marking corrects; it adds nothing


def test_an_episode_marked_entered_in_error_takes_no_marks(as_therapist, create_run, create_pain_score, episode,
                                                           ep):
    run = create_run(episode["id"])
    score = create_pain_score(episode["id"], **PAIN)
    mark_entered_in_error(as_therapist, ep)

    assert_problem(as_therapist.post(f"{API}/runs/{run['id']}/entered-in-error", json=WRONG_CHART), 409)
    assert_problem(as_therapist.post(f"{API}/pain-scores/{score['id']}/entered-in-error", json=WRONG_CHART), 409)
    assert as_therapist.get(f"{API}/runs/{run['id']}").get_json()["entered_in_error_at"] is None


# ---- what a mark takes out ----------------------------------------------------------------------------

def test_a_marked_run_leaves_the_list_unless_asked_for(as_therapist, create_run, episode, ep):
    kept = create_run(episode["id"])
    wrong = create_run(episode["id"], run_date="2026-09-11")
    mark_entered_in_error(as_therapist, f"{API}/runs/{wrong['id']}")

    assert listed_ids(as_therapist, f"{ep}/runs") == [kept["id"]]
    assert listed_ids(as_therapist, f"{ep}/runs", include_entered_in_error="true") == [kept["id"], wrong["id"]]
    assert listed_ids(as_therapist, f"{ep}/runs", include_entered_in_error="false") == [kept["id"]]
    assert as_therapist.get(f"{ep}/runs").get_json()["total"] == 1
    assert_problem(as_therapist.get(f"{ep}/runs", query_string={"include_entered_in_error": "maybe"}), 422,
                   "include_entered_in_error")


def test_a_marked_run_leaves_the_weekly_totals_and_the_return_to_run_week(as_therapist, create_run, episode, ep):
    # Pre-injury week: 40 km. Week of 2026-09-07: 20 + 20 km, pain-free: the return to run, until one is marked.
    create_run(episode["id"], run_date="2026-09-08", distance_km=20, duration_min=120)
    wrong = create_run(episode["id"], run_date="2026-09-10", distance_km=20, duration_min=120)
    create_run(episode["id"], run_date="2026-09-15", distance_km=5, duration_min=30)
    before = read(as_therapist, f"{ep}/runs/weekly")
    assert [(w["runs"], w["distance_km"]) for w in before["weeks"]] == [(2, 40), (1, 5)]
    assert before["return_to_run"] == {"week_start": "2026-09-07", "weeks_since_start": 1}

    mark_entered_in_error(as_therapist, f"{API}/runs/{wrong['id']}")

    after = read(as_therapist, f"{ep}/runs/weekly")
    assert [(w["week_start"], w["runs"], w["distance_km"], w["longest_run_km"]) for w in after["weeks"]] == [
        ("2026-09-07", 1, 20, 20), ("2026-09-14", 1, 5, 5)]
    assert after["return_to_run"] is None


def test_a_week_of_only_marked_runs_leaves_no_week(as_therapist, create_run, episode, ep):
    mark_entered_in_error(as_therapist, f"{API}/runs/{create_run(episode['id'])['id']}")

    assert read(as_therapist, f"{ep}/runs/weekly")["weeks"] == []


def test_a_marked_pain_score_leaves_the_list_unless_asked_for(as_therapist, create_pain_score, episode, ep):
    kept = create_pain_score(episode["id"], **PAIN)
    wrong = create_pain_score(episode["id"], **{**PAIN, "recorded_at": "2026-09-11T08:00:00+00:00"})
    mark_entered_in_error(as_therapist, f"{API}/pain-scores/{wrong['id']}")

    assert listed_ids(as_therapist, f"{ep}/pain-scores") == [kept["id"]]
    assert listed_ids(as_therapist, f"{ep}/pain-scores", context="stairs_down") == [kept["id"]]
    assert listed_ids(as_therapist, f"{ep}/pain-scores", include_entered_in_error="true") == [kept["id"],
                                                                                             wrong["id"]]


def test_marked_entries_no_longer_bound_the_episodes_dates(as_therapist, create_run, create_pain_score, episode,
                                                           ep):
    # The first entry bounds a later start_date; the last one bounds the discharge date.
    early_run = create_run(episode["id"], run_date="2026-09-02")
    early_score = create_pain_score(episode["id"], **{**PAIN, "recorded_at": "2026-09-03T08:00:00+00:00"})
    create_run(episode["id"], run_date="2026-09-20")
    late_score = create_pain_score(episode["id"], **{**PAIN, "recorded_at": "2026-09-25T08:00:00+00:00"})
    assert_problem(as_therapist.patch_current(ep, {"start_date": "2026-09-05"}), 422, "start_date")

    mark_entered_in_error(as_therapist, f"{API}/runs/{early_run['id']}")
    assert_problem(as_therapist.patch_current(ep, {"start_date": "2026-09-05"}), 422, "start_date")  # the score
    mark_entered_in_error(as_therapist, f"{API}/pain-scores/{early_score['id']}")
    assert as_therapist.patch_current(ep, {"start_date": "2026-09-05"}).status_code == 200

    discharge = {**DISCHARGE, "discharge_date": "2026-09-21"}
    assert_problem(as_therapist.post(f"{ep}/discharge", json=discharge), 422, "discharge_date")
    mark_entered_in_error(as_therapist, f"{API}/pain-scores/{late_score['id']}")
    assert as_therapist.post(f"{ep}/discharge", json=discharge).status_code == 200


# ---- audit and record events ----------------------------------------------------------------------------

def test_every_mark_is_audited_with_its_reason(as_admin, as_therapist, create_run, create_pain_score, episode):
    run = create_run(episode["id"])
    score = create_pain_score(episode["id"], **PAIN)
    mark_entered_in_error(as_therapist, f"{API}/runs/{run['id']}")
    mark_entered_in_error(as_therapist, f"{API}/pain-scores/{score['id']}")

    for action, entry in (("run.entered_in_error", run), ("pain_score.entered_in_error", score)):
        [event] = listed(as_admin, AUDIT, action=action)
        assert (event["resource_id"], event["patient_id"], event["user_id"]) == (
            entry["id"], episode["patient_id"], str(as_therapist.user.id))
        assert event["details"] == {"reason": WRONG_CHART["reason"]} and event["outcome"] == "success"


def test_a_refused_mark_leaves_no_event(as_admin, as_therapist, create_run, episode):
    url = f"{API}/runs/{create_run(episode['id'])['id']}"
    mark_entered_in_error(as_therapist, url)
    as_therapist.post(f"{url}/entered-in-error", json=WRONG_CHART)

    assert len(listed(as_admin, AUDIT, action="run.entered_in_error")) == 1


@pytest.mark.parametrize(("item", "signal"), [("runs", signals.run_entered_in_error),
                                              ("pain-scores", signals.pain_score_entered_in_error)])
def test_a_mark_sends_its_record_event(as_therapist, ep, episode, item, signal):
    entry = created(as_therapist.post(f"{ep}/{item}", json=dict(ENTRIES)[item]))
    received = []

    def receiver(sender, **kwargs):
        received.append((str(sender.id), str(kwargs["episode_id"]), sender.entered_in_error_at is not None))

    with signal.connected_to(receiver):
        mark_entered_in_error(as_therapist, f"{API}/{item}/{entry['id']}")

    assert received == [(entry["id"], episode["id"], True)]
    assert signal in signals.RECORD_EVENTS


# ---- the bounds of a run ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field"), [
    ({"distance_km": 0}, "distance_km"),
    ({"distance_km": 0, "duration_min": 0.1}, "distance_km"),
    ({"distance_km": 4, "duration_min": 9.9}, "duration_min"),     # faster than 2:30 min/km
    ({"distance_km": 4, "duration_min": 80.1}, "duration_min"),    # slower than 20:00 min/km
    ({"distance_km": 42.2, "duration_min": 60}, "duration_min"),   # a marathon in an hour
    ({"distance_km": 0.5, "duration_min": 240}, "duration_min"),   # half a kilometre in four hours
], ids=["distance-zero", "distance-zero-short", "pace-too-fast", "pace-too-slow", "marathon-in-an-hour",
        "crawl"])
def test_a_run_outside_the_bounds_is_refused_naming_the_field(as_therapist, ep, changes, field):
    problem = assert_problem(as_therapist.post(f"{ep}/runs", json={**RUN, **changes}), 422, field)

    if field == "duration_min":
        assert "2:30 and 20:00 min/km" in problem["errors"]["duration_min"][0]
    assert listed_ids(as_therapist, f"{ep}/runs", include_entered_in_error="true") == []


@pytest.mark.parametrize(("distance", "duration"), [(4, 10), (4, 80), (10, 60), (0.04, 0.1), (1.5, 30)],
                         ids=["2:30", "20:00", "6:00", "tiny-2:30", "1.5-km-20:00"])
def test_a_run_at_the_pace_bounds_is_stored(create_run, episode, distance, duration):
    run = create_run(episode["id"], distance_km=distance, duration_min=duration)

    assert (run["distance_km"], run["duration_min"]) == (distance, duration)


def _insert_run(episode_id: str, recorded_by: uuid.UUID, distance: str, duration: str, **marks) -> None:
    db.session.add(RunLog(episode_id=uuid.UUID(episode_id), run_date=date(2026, 9, 10),
                          distance_km=Decimal(distance), duration_min=Decimal(duration), recorded_by=recorded_by,
                          **marks))
    db.session.flush()


def test_the_database_refuses_an_unmarked_run_outside_the_bounds(app, as_therapist, episode):
    with app.app_context():
        for distance, duration in (("0", "10"), ("4", "9.9"), ("4", "80.1")):
            savepoint = db.session.begin_nested()
            with pytest.raises(IntegrityError):
                _insert_run(episode["id"], as_therapist.user.id, distance, duration)
            savepoint.rollback()
        # A run marked entered in error is kept as it was written, whatever its bounds.
        _insert_run(episode["id"], as_therapist.user.id, "0", "10", entered_in_error_at=datetime.now(UTC),
                    entered_in_error_reason="Outside the bounds.")
        savepoint = db.session.begin_nested()
        with pytest.raises(IntegrityError):  # a mark has its reason
            _insert_run(episode["id"], as_therapist.user.id, "5", "30", entered_in_error_at=datetime.now(UTC))
        savepoint.rollback()
        db.session.rollback()


# ---- migration 0006 ---------------------------------------------------------------------------------------

# run_logs as revision 0005 has it: the model has columns that 0005 has not.
RUN_LOGS_0005 = table("run_logs", column("id", Uuid()), column("episode_id", Uuid()), column("run_date", Date()),
                      column("distance_km", Numeric(6, 2)), column("duration_min", Numeric(6, 1)),
                      column("recorded_by", Uuid()), column("created_at", UTCDateTime()))
STORED_RUNS = {"fine": ("5", "30"), "zero": ("0", "10"), "too-fast": ("4", "9.9"), "too-slow": ("1", "20.1"),
               "at-2:30": ("4", "10"), "at-20:00": ("4", "80")}


def _runs_stored_before_0006(app, therapist_id: uuid.UUID) -> tuple[uuid.UUID, dict[str, str]]:
    """The database taken down to revision 0005, and there a patient, an episode and runs within and outside
    the new bounds, recorded by the therapist."""
    with app.app_context():
        flask_migrate.downgrade(revision="0005")
        episode = stored_episode()
        ids = {name: uuid.uuid4() for name in STORED_RUNS}
        db.session.execute(insert(RUN_LOGS_0005), [
            {"id": ids[name], "episode_id": episode.id, "run_date": date(2026, 9, 10), "distance_km": Decimal(distance),
             "duration_min": Decimal(duration), "recorded_by": therapist_id, "created_at": datetime.now(UTC)}
            for name, (distance, duration) in STORED_RUNS.items()])
        db.session.commit()
        return episode.id, {name: str(run_id) for name, run_id in ids.items()}


def test_migration_0006_marks_the_runs_stored_outside_the_bounds(fresh_app, new_staff):
    therapist = new_staff(fresh_app)  # signed in at the head: migrations 0006 to 0008 leave users and tokens be
    episode_id, runs = _runs_stored_before_0006(fresh_app, therapist.user.id)
    with fresh_app.app_context():
        flask_migrate.upgrade()

    shown = {name: read(therapist, f"{API}/runs/{run_id}") for name, run_id in runs.items()}
    for name in ("zero", "too-fast", "too-slow"):
        assert shown[name]["entered_in_error_at"] is not None, name
        assert shown[name]["entered_in_error_by"] is None
        assert "outside the run bounds" in shown[name]["entered_in_error_reason"]
    for name in ("fine", "at-2:30", "at-20:00"):
        assert shown[name]["entered_in_error_at"] is None, name
    assert sorted(listed_ids(therapist, f"{API}/episodes/{episode_id}/runs")) == sorted(
        runs[n] for n in ("fine", "at-2:30", "at-20:00"))
    with fresh_app.app_context():  # and back down, and up again
        flask_migrate.downgrade(revision="0005")
        flask_migrate.upgrade()
