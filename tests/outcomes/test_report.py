"""The clinic outcome report over HTTP: GET /reports/outcomes (the aggregate, and detail=episodes) and
GET /reports/outcomes.csv, checked against the hand-worked episode (``conftest.py``) and a few small ones."""
from __future__ import annotations

import csv
import io
import statistics
from datetime import date, timedelta
from typing import Any

import pytest
from flask import g
from sqlalchemy import func, select

from clinic_api.auth.models import User
from clinic_api.extensions import db
from clinic_api.outcomes import report
from clinic_api.outcomes.models import EpisodeOutcomeSummary
from tests.factories import API, AUDIT, KUJALA_56, KUJALA_88, assert_problem, created, listed, outcomes_url, read

REPORT = f"{API}/reports/outcomes"
CSV = f"{REPORT}.csv"
DISCHARGE = f"{API}/episodes/{{}}/discharge"


@pytest.fixture
def course(create_patient, create_episode, create_response, as_therapist):
    """``course(nprs=[6, 3], kujala=False, discharged=None, **episode)``: an episode with NPRS responses a week
    apart from 1 September 2026 (and the Kujala 56 → 88 with ``kujala``), discharged on that day if given; its id."""
    def make(nprs=(6, 3), *, kujala=False, discharged=None, client=None, patient=None,
             start_date="2026-09-01", **episode: Any) -> str:
        client = client or as_therapist
        episode_id = create_episode(create_patient(**(patient or {}))["id"], client=client, start_date=start_date,
                                    onset_date="2026-07-01", **episode)["id"]
        start = date.fromisoformat(start_date)
        for week, pain in enumerate(nprs):
            create_response(episode_id, client=client, answers={"pain": pain},
                            taken_at=f"{start + timedelta(weeks=week)}T09:00:00+00:00")
        if kujala:
            for week, answers in ((0, KUJALA_56), (3, KUJALA_88)):
                create_response(episode_id, client=client, questionnaire="kujala", answers=answers,
                                taken_at=f"{start + timedelta(weeks=week)}T09:30:00+00:00")
        if discharged:
            created(client.post(DISCHARGE.format(episode_id), json={"discharge_date": discharged,
                                                                     "reason": "goals_met"}), 200)
        return episode_id
    return make


def measure(answer: dict[str, Any], key: str) -> dict[str, Any]:
    return next(item for item in answer["measures"] if item["key"] == key)


def csv_rows(response: Any) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# ---- the aggregate ---------------------------------------------------------------------------------------

def test_the_report_of_the_hand_worked_episode(as_therapist, worked):
    answer = read(as_therapist, REPORT)
    assert (answer["episodes"], answer["pending_episodes"], answer["by_status"]) == (1, 0, {"active": 0,
                                                                                          "discharged": 1})
    # 5 visits, 1 September to 2 October; back to 40 km a week in week 4.
    assert answer["visits"] == {"episodes": 1, "median": 5, "q1": 5, "q3": 5}
    assert answer["days_to_discharge"] == {"episodes": 1, "median": 31, "q1": 31, "q3": 31}
    assert answer["return_to_run"] == {"runners": 1, "returned": 1, "rate": 1}
    assert [item["key"] for item in answer["measures"]] == ["kujala", "nprs", "pain.current", "pain.stairs_down"]
    nprs = measure(answer, "nprs")
    assert nprs["label"] == "the Numeric Pain Rating Scale (NPRS)"
    assert nprs["direction"] == "lower_is_better"
    assert (nprs["episodes_with_baseline"], nprs["episodes_with_later_score"], nprs["without_later_score"]) == (1, 1, 0)
    assert (nprs["mcid_reached"], nprs["mcid_judged"], nprs["mcid_reached_share"]) == (1, 1, 1)
    assert nprs["change"] == {"episodes": 1, "median": 4, "q1": 4, "q3": 4}  # 6 → 2, the 5 replaced by a 4
    assert nprs["completeness"] == {"baseline": 1, "later_score": 1, "follow_up": 1}  # the 3 of 15 November
    assert measure(answer, "kujala")["change"]["median"] == 32
    assert measure(answer, "kujala")["completeness"]["follow_up"] == 0
    now = measure(answer, "pain.current")  # one score: counted, never dropped
    assert (now["episodes_with_baseline"], now["without_later_score"], now["mcid_reached_share"]) == (1, 1, None)
    assert now["change"] == {"episodes": 0, "median": None, "q1": None, "q3": None}


def test_medians_quartiles_and_shares_across_episodes(as_therapist, course):
    for pains in ((6, 2), (5, 7), (8, 3), (6, 5)):  # changes 4, -2, 5, 1
        course(pains, discharged="2026-10-01")
    course((4,))  # active, one score
    answer = read(as_therapist, REPORT)
    assert (answer["episodes"], answer["by_status"]) == (5, {"active": 1, "discharged": 4})
    nprs = measure(answer, "nprs")
    # -2, 1, 4, 5: median 2.5, q1 = 1 - 0.75 * 3 = 0.25... at h = 0.75: -2 + 0.75 * 3 = 0.25; q3 at h = 2.25: 4.25
    assert nprs["change"] == {"episodes": 4, "median": 2.5, "q1": 0.25, "q3": 4.25}
    assert (nprs["episodes_with_later_score"], nprs["without_later_score"]) == (4, 1)
    assert (nprs["mcid_reached"], nprs["mcid_judged"], nprs["mcid_reached_share"]) == (2, 4, 0.5)  # 4 and 5
    assert nprs["completeness"] == {"baseline": 1, "later_score": 0.8, "follow_up": 0}
    assert answer["days_to_discharge"]["median"] == 30
    assert answer["visits"] == {"episodes": 4, "median": 0, "q1": 0, "q3": 0}


def test_pending_episodes_are_counted_apart_and_those_in_error_are_absent(as_therapist, as_front_desk, course,
                                                                          create_patient):
    course((6, 2))
    mistaken = course((9, 1))
    created(as_therapist.post(f"{API}/episodes/{mistaken}/entered-in-error", json={"reason": "Wrong chart."}), 200)
    created(as_front_desk.post(f"{API}/patients/{create_patient()['id']}/episodes",
                               json={"body_region": "knee", "side": "left", "referral_source": "Self-referred"}))
    answer = read(as_therapist, REPORT)
    assert (answer["episodes"], answer["pending_episodes"]) == (1, 1)
    assert measure(answer, "nprs")["change"]["median"] == 4
    assert read(as_therapist, REPORT, status="pending")["episodes"] == 0
    assert read(as_therapist, REPORT, status="pending")["pending_episodes"] == 1


def test_the_filters(as_therapist, as_other_therapist, course):
    course((6, 2), discharged="2026-09-20")
    course((6, 5), start_date="2026-08-03", discharged="2026-09-05")  # NPRS on 3 and 10 August
    course((6, 6), body_region="hip", side="right", diagnosis_code="M25.551", diagnosis_text="Hip pain",
           client=as_other_therapist)
    assert read(as_therapist, REPORT, diagnosis_code="M22")["episodes"] == 2
    assert read(as_therapist, REPORT, diagnosis_code="M25.5")["episodes"] == 1
    assert read(as_therapist, REPORT, diagnosis_code="M2%")["episodes"] == 0  # a prefix, never a pattern
    assert read(as_therapist, REPORT, body_region="hip")["episodes"] == 1
    assert read(as_therapist, REPORT, therapist_id="me")["episodes"] == 2
    assert read(as_other_therapist, REPORT, therapist_id="me")["episodes"] == 1
    assert read(as_therapist, REPORT, therapist_id=str(as_other_therapist.user.id))["episodes"] == 1
    assert read(as_therapist, REPORT, status="active")["episodes"] == 1
    # Started in September: two; discharged in September: two others.
    assert read(as_therapist, REPORT, **{"from": "2026-09-01", "to": "2026-09-30"})["episodes"] == 2
    by_discharge = read(as_therapist, REPORT, **{"from": "2026-09-01", "to": "2026-09-30", "dates": "discharged"})
    assert by_discharge["episodes"] == 2
    assert by_discharge["by_status"] == {"active": 0, "discharged": 2}
    assert read(as_therapist, REPORT, **{"from": "2026-09-10", "dates": "discharged"})["episodes"] == 1
    assert read(as_therapist, REPORT, dates="discharged")["by_status"] == {"active": 0, "discharged": 2}
    assert (by_discharge["filters"]["dates"], by_discharge["filters"]["from"]) == ("discharged", "2026-09-01")


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "01/09/2026"}, "from"), ({"to": "2026-13-01"}, "to"), ({"status": "entered_in_error"}, "status"),
    ({"from": "2026-10-01", "to": "2026-09-01"}, "from"), ({"dates": "closed"}, "dates"),
    ({"body_region": "elbow"}, "body_region"), ({"therapist_id": "nobody"}, "therapist_id"),
    ({"detail": "patients"}, "detail"), ({"diagnosis_code": "M22.2X2.123"}, "diagnosis_code"),
    ({"sort": "change"}, "sort"), ({"per_page": "0"}, "per_page"),
])
def test_a_wrong_filter_is_named(as_therapist, query, field):
    body = assert_problem(as_therapist.get(REPORT, query_string=query), 422, field)
    assert body["errors"][field]
    if field in ("from", "to"):
        assert any("YYYY-MM-DD" in message or "after" in message for message in body["errors"][field])
    if field not in ("detail", "per_page"):
        assert_problem(as_therapist.get(CSV, query_string=query), 422, field)


def test_who_may_read_it(as_front_desk, anonymous, as_admin, as_therapist):
    for url in (REPORT, CSV):
        assert_problem(as_front_desk.get(url), 403)
        assert_problem(anonymous.get(url), 401)
        assert as_admin.get(url).status_code == 200
        assert as_therapist.get(url).status_code == 200


def test_the_aggregate_is_one_audit_event_with_the_filter(as_admin, as_therapist, course):
    course((6, 2))
    read(as_therapist, REPORT, diagnosis_code="M22", therapist_id="me")
    (event,) = listed(as_admin, AUDIT, action="report.outcomes")
    assert event["user_id"] == str(as_therapist.user.id)
    assert event["patient_id"] is None
    assert event["details"]["filters"]["diagnosis_code"] == "M22"
    assert event["details"]["filters"]["therapist_id"] == str(as_therapist.user.id)
    assert listed(as_admin, AUDIT, action="report.outcomes_export") == []


# ---- one row per episode ---------------------------------------------------------------------------------

def test_a_therapist_s_rows_name_the_patient(as_therapist, worked):
    page = read(as_therapist, REPORT, detail="episodes")
    assert (page["total"], page["page"], page["pages"]) == (1, 1, 1)
    (row,) = page["items"]
    outcome = read(as_therapist, outcomes_url(worked["episode"]))
    assert (row["episode_id"], row["patient_id"]) == (worked["episode"], outcome["patient_id"])
    assert (row["first_name"], row["last_name"]) == ("Maddie", "Runner")
    assert row["mrn"]
    figures = (row["visits_count"], row["days_in_care"], row["returned_to_run"], row["weeks_to_return"])
    assert figures == (5, 31, True, 4)


def test_an_admin_s_rows_are_de_identified(as_admin, worked):
    (row,) = read(as_admin, REPORT, detail="episodes")["items"]
    assert row["episode_id"] == worked["episode"]
    for field in ("patient_id", "mrn", "first_name", "last_name", "date_of_birth", "patient"):
        assert field not in row
    assert (row["diagnosis_code"], row["start_date"], row["discharge_date"]) == ("M22.2X2", "2026-09-01", "2026-10-02")


def test_the_rows_are_paginated_and_each_shown_episode_is_audited(as_admin, as_therapist, course):
    ids = [course((6, 2), start_date=f"2026-09-0{day}") for day in (1, 2, 3)]
    page = read(as_therapist, REPORT, detail="episodes", per_page=2, page=2)
    assert (page["total"], page["pages"], [row["episode_id"] for row in page["items"]]) == (3, 2, [ids[2]])
    (event,) = listed(as_admin, AUDIT, action="report.outcomes_export")
    assert (event["resource_type"], event["resource_id"]) == ("episode_of_care", ids[2])
    assert event["patient_id"] == page["items"][0]["patient_id"]
    assert event["user_id"] == str(as_therapist.user.id)


# ---- the CSV ---------------------------------------------------------------------------------------------

def test_the_csv_for_a_spreadsheet(as_therapist, course):
    worse = course((5, 7), discharged="2026-10-01",
                   patient={"first_name": "=HYPERLINK(\"http://x\")", "last_name": "@SUM(A1)"})
    answer = as_therapist.get(CSV)
    assert answer.status_code == 200
    assert answer.content_type == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=clinic-outcomes-")
    assert answer.headers["Content-Disposition"].endswith(".csv")
    assert answer.headers["Cache-Control"] == "no-store"
    text = answer.get_data(as_text=True)
    header = text.removeprefix("\ufeff").split("\r\n")[0].split(",")
    assert header[:5] == ["episode_id", "patient_id", "mrn", "first_name", "last_name"]
    (row,) = csv_rows(answer)
    assert row["episode_id"] == worse
    assert (row["first_name"], row["last_name"]) == ("'=HYPERLINK(\"http://x\")", "'@SUM(A1)")
    assert (row["start_date"], row["discharge_date"]) == ("2026-09-01", "2026-10-01")
    assert (row["measure_key"], row["baseline"], row["latest"], row["change"]) == ("nprs", "5", "7", "-2")
    assert row["mcid_reached"] == "false"
    assert row["last_follow_up"] == ""
    assert ",-2," in text  # the number itself, neither quoted nor escaped


def test_an_admin_s_csv_is_de_identified(as_admin, worked):
    rows = csv_rows(as_admin.get(CSV))
    assert [row["measure_key"] for row in rows] == ["kujala", "nprs", "pain.current", "pain.stairs_down"]
    for column in ("patient_id", "mrn", "first_name", "last_name"):
        assert column not in rows[0]
    assert {row["episode_id"] for row in rows} == {worked["episode"]}


def test_an_episode_without_a_measure_is_one_row(as_therapist, course):
    course(())
    (row,) = csv_rows(as_therapist.get(CSV))
    assert (row["status"], row["measure_key"], row["label"], row["change"]) == ("active", "", "", "")


def test_the_export_is_audited_before_it_streams(as_admin, as_therapist, course):
    ids = {course((6, 2)) for _ in range(3)}
    answer = as_therapist.get(CSV, buffered=False)
    # The body has not been read yet: the events are already stored, one per episode.
    events = listed(as_admin, AUDIT, action="report.outcomes_export")
    assert {event["resource_id"] for event in events} == ids
    assert all(event["details"]["view"] == "csv" and event["patient_id"] for event in events)
    assert len(csv_rows(answer)) == 3
    answer.close()


def test_a_rejected_export_writes_nothing(as_admin, as_therapist, course):
    course((6, 2))
    assert_problem(as_therapist.get(CSV, query_string={"status": "nope"}), 422, "status")
    assert listed(as_admin, AUDIT, action="report.outcomes_export") == []


# ---- statements ------------------------------------------------------------------------------------------

def _statements(count_queries, client, url: str, **query: Any) -> int:
    with count_queries() as counter:
        answer = client.get(url, query_string=query)
        assert answer.status_code == 200
        answer.get_data()
    return counter.count


def test_the_statements_do_not_grow_with_the_episodes(count_queries, as_therapist, course):
    def counts() -> tuple[int, ...]:
        return (_statements(count_queries, as_therapist, REPORT),
                _statements(count_queries, as_therapist, REPORT, detail="episodes", per_page=100),
                _statements(count_queries, as_therapist, CSV))

    for _ in range(3):
        course((6, 2), kujala=True, discharged="2026-10-01")
    few = counts()
    for _ in range(27):
        course((6, 2), kujala=True, discharged="2026-10-01")
    assert counts() == few
    assert read(as_therapist, REPORT)["episodes"] == 30


# ---- JSON, rows, CSV and the per-episode outcomes agree --------------------------------------------------

def _quartiles(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"episodes": 0, "median": None, "q1": None, "q3": None}
    if len(values) == 1:
        return {"episodes": 1, "median": values[0], "q1": values[0], "q3": values[0]}
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"episodes": len(values), "median": pytest.approx(statistics.median(values), abs=1e-4),
            "q1": pytest.approx(q1, abs=1e-4), "q3": pytest.approx(q3, abs=1e-4)}


def _figures(measure_: dict[str, Any]) -> tuple[Any, ...]:
    """A measure of GET /episodes/{id}/outcomes in the report's terms."""
    baseline, latest = measure_["baseline"], measure_["latest"]
    return (baseline and baseline["value"], latest and latest["value"], measure_["change"], measure_["mcid_reached"],
            len(measure_["series"]), len(measure_["follow_ups"]))


def _number(text: str) -> Any:
    return None if text == "" else float(text)


def test_json_rows_csv_and_each_episode_agree(as_therapist, as_front_desk, create_patient, worked, course):
    course((5, 7), discharged="2026-10-01")
    course((4,))
    course((8, 3), kujala=True, discharged="2026-10-12")
    course((9, 1), kujala=True)
    mistaken = course((9, 0))
    created(as_therapist.post(f"{API}/episodes/{mistaken}/entered-in-error", json={"reason": "Wrong chart."}), 200)
    created(as_front_desk.post(f"{API}/patients/{create_patient()['id']}/episodes",
                               json={"body_region": "knee", "side": "left", "referral_source": "Self-referred"}))

    aggregate = read(as_therapist, REPORT)
    rows = read(as_therapist, REPORT, detail="episodes", per_page=100)["items"]
    exported = csv_rows(as_therapist.get(CSV))
    outcomes = {row["episode_id"]: read(as_therapist, outcomes_url(row["episode_id"])) for row in rows}
    assert aggregate["episodes"] == len(rows) == len(outcomes) == 5
    assert aggregate["pending_episodes"] == 1

    by_key: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for row in rows:
        outcome = outcomes[row["episode_id"]]
        assert (row["status"], row["visits_count"], row["start_date"], row["discharge_date"]) == (
            outcome["status"], outcome["visits_count"], outcome["start_date"], outcome["discharge_date"])
        if row["status"] == "discharged":
            assert row["days_in_care"] == outcome["days_in_care"]
        assert row["returned_to_run"] == outcome["return_to_run"]["reached"]
        assert {m["key"]: (m["baseline"], m["latest"], m["change"], m["mcid_reached"], m["scores_count"],
                           m["follow_ups_count"]) for m in row["measures"]} == \
            {m["key"]: _figures(m) for m in outcome["measures"]}
        for found in outcome["measures"]:
            by_key.setdefault(found["key"], []).append((found, outcome))
        # The CSV: the same episode, one row per measure, the same figures.
        lines = [line for line in exported if line["episode_id"] == row["episode_id"]]
        assert [line["measure_key"] for line in lines] == [m["key"] for m in row["measures"]]
        for line, m in zip(lines, row["measures"], strict=True):
            assert (_number(line["baseline"]), _number(line["latest"]), _number(line["change"])) == (
                m["baseline"], m["latest"], m["change"])
            assert line["mcid_reached"] == {True: "true", False: "false", None: ""}[m["mcid_reached"]]
            assert int(line["visits_count"]) == row["visits_count"]
    assert len(exported) == sum(len(row["measures"]) for row in rows)

    # The aggregate, worked out here from the per-episode answers.
    assert [m["key"] for m in aggregate["measures"]] == sorted(
        by_key, key=lambda key: (-sum(found["baseline"] is not None for found, _ in by_key[key]), key))
    discharged = [outcome for outcome in outcomes.values() if outcome["status"] == "discharged"]
    for item in aggregate["measures"]:
        found = by_key[item["key"]]
        later = [m for m, _ in found if len(m["series"]) >= 2]
        judged = [m for m in later if m["mcid_reached"] is not None]
        assert item["episodes_with_baseline"] == sum(m["baseline"] is not None for m, _ in found)
        assert (item["episodes_with_later_score"], item["without_later_score"]) == (len(later), len(found) - len(later))
        assert (item["mcid_judged"], item["mcid_reached"]) == (len(judged), sum(m["mcid_reached"] for m in judged))
        assert item["change"] == _quartiles([m["change"] for m, _ in found if m["change"] is not None])
        with_follow_up = sum(bool(m["follow_ups"]) for m, outcome in found if outcome["status"] == "discharged")
        assert item["completeness"]["follow_up"] == round(with_follow_up / len(discharged), 4)
        assert item["completeness"]["later_score"] == round(len(later) / 5, 4)
    assert aggregate["visits"] == _quartiles([outcome["visits_count"] for outcome in discharged])
    assert aggregate["days_to_discharge"] == _quartiles([outcome["days_in_care"] for outcome in discharged])
    runners = [o for o in outcomes.values() if o["return_to_run"]["reason"] != "no_pre_injury_distance"]
    assert aggregate["return_to_run"]["runners"] == len(runners)
    assert aggregate["return_to_run"]["returned"] == sum(o["return_to_run"]["reached"] for o in runners)


def test_the_answers_are_as_documented(conforms, as_admin, as_therapist, worked):
    path = "/api/v1/reports/outcomes"
    conforms(as_therapist.get(REPORT), path, "get")
    conforms(as_therapist.get(REPORT, query_string={"detail": "episodes"}), path, "get")
    conforms(as_admin.get(REPORT, query_string={"detail": "episodes"}), path, "get")
    conforms(as_admin.get(REPORT, query_string={"from": "yesterday"}), path, "get")
    conforms(as_admin.get(CSV, query_string={"from": "yesterday"}), f"{path}.csv", "get")


def test_the_export_reads_only_the_episodes_its_audit_events_name(app, as_therapist, course):
    """The rows stream in a transaction after the audit's commit: an episode counted in between (unaudited) is left
    out, through the service functions the CSV route calls."""
    audited_one = course((6, 2))
    with app.test_request_context():
        g.request_id, g.caller = "export-under-test", db.session.scalar(select(User).where(
            User.role == "therapist").order_by(User.email).limit(1))
        audited = report.audit_csv_export(report.Filters())
        db.session.commit()
    between = course((5, 1))
    with app.test_request_context():
        # the same filter now counts both episodes
        assert db.session.scalar(select(func.count()).select_from(EpisodeOutcomeSummary).where(
            EpisodeOutcomeSummary.status == "active")) == 2
        exported = {str(row.episode_id) for row in report.export_rows(report.Filters(), identified=True,
                                                                       audited=audited)}
    assert exported == {audited_one}
    assert between not in exported


def test_the_measures_follow_each_change_of_their_episode(as_therapist, as_other_therapist, course):
    """The measures' rows carry their episode's filter columns: each change of the episode moves them."""
    episode = course((6, 2))

    def nprs_episodes(**query: Any) -> int:
        found = [item for item in read(as_therapist, REPORT, **query)["measures"] if item["key"] == "nprs"]
        return found[0]["episodes"] if found else 0

    def change(**fields: Any) -> None:
        etag = as_therapist.get(f"{API}/episodes/{episode}").headers["ETag"]
        created(as_therapist.patch(f"{API}/episodes/{episode}", json=fields, headers={"If-Match": etag}), 200)

    assert (nprs_episodes(diagnosis_code="M22"), nprs_episodes(therapist_id="me")) == (1, 1)
    change(diagnosis_code="M76.51", diagnosis_text="Patellar tendinitis, right knee")
    assert (nprs_episodes(diagnosis_code="M22"), nprs_episodes(diagnosis_code="M76.5")) == (0, 1)
    change(therapist_id=str(as_other_therapist.user.id))
    assert nprs_episodes(therapist_id="me") == 0
    assert nprs_episodes(therapist_id=str(as_other_therapist.user.id)) == 1
    created(as_therapist.post(DISCHARGE.format(episode), json={"reason": "goals_met"}), 200)
    discharged_on = read(as_therapist, f"{API}/episodes/{episode}")["discharge_date"]
    by_discharge = {"from": discharged_on, "dates": "discharged"}
    assert (nprs_episodes(status="active"), nprs_episodes(status="discharged"), nprs_episodes(**by_discharge)) == (
        0, 1, 1)
    created(as_therapist.post(f"{API}/episodes/{episode}/reopen", json={"reason": "Pain came back."}), 200)
    assert (nprs_episodes(status="active"), nprs_episodes(status="discharged"), nprs_episodes(**by_discharge)) == (
        1, 0, 0)
    created(as_therapist.post(f"{API}/episodes/{episode}/entered-in-error", json={"reason": "Wrong chart."}), 200)
    assert nprs_episodes() == 0
