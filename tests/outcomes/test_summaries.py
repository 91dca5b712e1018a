"""The kept outcome summaries (``outcomes.summaries``): every write keeps them equal to what
GET /episodes/{id}/outcomes answers and to a fresh rebuild, at a constant cost per write."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from clinic_api.core import signals
from clinic_api.core.errors import Conflict
from clinic_api.extensions import db
from clinic_api.outcomes import summaries
from clinic_api.outcomes.models import EpisodeOutcomeSummary, OutcomeSummary
from tests.factories import (
    API,
    FOLLOW_UP,
    KUJALA_56,
    KUJALA_88,
    created,
    outcomes_url,
    post_episode,
    post_patient,
    post_response,
    read,
)

REASON = {"reason": "Written in the wrong chart."}
START = date(2026, 9, 1)


def kept(app: Any, episode_id: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None]:
    """The episode's kept rows: its measures by key (without their row ids) and its episode line."""
    with app.app_context():
        return _rows(uuid.UUID(episode_id))


def _rows(episode_id: uuid.UUID) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None]:
    measures = db.session.scalars(select(OutcomeSummary).where(OutcomeSummary.episode_id == episode_id)).all()
    line = db.session.get(EpisodeOutcomeSummary, episode_id)
    columns = [column.key for column in OutcomeSummary.__table__.columns if column.key != "id"]
    episode_columns = [column.key for column in EpisodeOutcomeSummary.__table__.columns]
    return ({row.measure_key: {name: getattr(row, name) for name in columns} for row in measures},
            None if line is None else {name: getattr(line, name) for name in episode_columns})


def rebuilt(app: Any, episode_id: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None]:
    """The episode's rows as a rebuild from its records makes them (undone with the app context)."""
    with app.app_context():
        summaries.refresh([uuid.UUID(episode_id)])
        return _rows(uuid.UUID(episode_id))


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _point(point: dict[str, Any] | None) -> tuple[Any, ...]:
    if point is None:
        return (None, None, None)
    return (_number(point["value"]), datetime.fromisoformat(point["time"]), point["source_id"])


def _kept_point(row: dict[str, Any], name: str) -> tuple[Any, ...]:
    source = row[f"{name}_source"]
    return (row[f"{name}_value"], row[f"{name}_at"], None if source is None else str(source))


def assert_kept_as_answered(app: Any, client: Any, episode_id: str) -> dict[str, Any]:
    """The kept rows say, field by field, what GET /episodes/{id}/outcomes says."""
    body = read(client, outcomes_url(episode_id))
    rows, line = kept(app, episode_id)
    assert set(rows) == {measure["key"] for measure in body["measures"]}
    for measure in body["measures"]:
        row = rows[measure["key"]]
        assert (row["kind"], row["headline"], row["questionnaire_code"]) == \
            (measure["kind"], measure["headline"], measure["questionnaire"])
        assert _kept_point(row, "baseline") == _point(measure["baseline"])
        assert _kept_point(row, "latest") == _point(measure["latest"])
        assert (row["change"], row["percent_change"]) == (_number(measure["change"]),
                                                          _number(measure["percent_change"]))
        assert (row["mcid_reached"], row["days_to_mcid"], row["visits_to_mcid"]) == \
            (measure["mcid_reached"], measure["days_to_mcid"], measure["visits_to_mcid"])
        assert row["first_mcid_at"] == _point(measure["first_mcid"])[1]
        assert (row["scores_count"], row["follow_ups_count"]) == (len(measure["series"]), len(measure["follow_ups"]))
        assert row["last_follow_up_value"] == (_number(measure["follow_ups"][-1]["value"])
                                               if measure["follow_ups"] else None)
    back = body["return_to_run"]
    assert line is not None
    assert (line["status"], line["visits_count"]) == (body["status"], body["visits_count"])
    assert line["days_in_care"] == (body["days_in_care"] if body["status"] == "discharged" else None)
    assert line["returned_to_run"] == (None if back["reason"] == "no_pre_injury_distance" else back["reached"])
    assert (str(line["return_week_start"]) if line["return_week_start"] else None) == back["week_start"]
    assert line["weeks_to_return"] == back["weeks_since_start"]
    return body


# ---- writes over HTTP --------------------------------------------------------------------------------

def test_the_worked_episode_is_kept_as_its_outcome_says(app, as_therapist, worked):
    body = assert_kept_as_answered(app, as_therapist, worked["episode"])
    rows, line = kept(app, worked["episode"])
    assert rows["nprs"]["latest_source"] == uuid.UUID(worked["nprs_3"])  # the correction's, not the replaced one
    assert rows["nprs"]["follow_ups_count"] == 1
    assert rows["pain.stairs_down"]["scores_count"] == 5  # the voided and entered-in-error 9s and the 8 left out
    assert line["returned_to_run"] is True and str(line["return_week_start"]) == "2026-09-28"
    assert body["status"] == "discharged" and line["days_in_care"] == 31


def _nprs(create_response, episode: str, pain: int, day: int, **body: Any) -> str:
    taken = f"{START + timedelta(days=day)}T09:00:00+00:00"
    return create_response(episode, answers={"pain": pain}, taken_at=taken, **body)["id"]


def test_corrections_change_the_kept_rows(app, as_therapist, create_episode, create_response, create_pain_score,
                                          create_visit, create_signed_visit):
    episode = create_episode()["id"]
    _nprs(create_response, episode, 6, 0)
    latest = _nprs(create_response, episode, 2, 14)
    assert kept(app, episode)[0]["nprs"]["mcid_reached"] is True
    _nprs(create_response, episode, 5, 14, replaces=latest)
    rows = assert_kept_as_answered(app, as_therapist, episode) and kept(app, episode)[0]
    assert (rows["nprs"]["latest_value"], rows["nprs"]["mcid_reached"]) == (5, False)

    create_signed_visit(episode)  # the evaluation: current 6 and stairs 7 (EVALUATION)
    draft = create_visit(episode, **FOLLOW_UP, visit_date="2026-09-08",
                         pain_scores=[{"score": 1, "context": "current"}])
    assert kept(app, episode)[0]["pain.current"]["latest_value"] == 1
    created(as_therapist.post(f"{API}/visits/{draft['id']}/void", json={"reason": "A duplicate."}), 200)
    assert kept(app, episode)[0]["pain.current"]["scores_count"] == 1
    score = create_pain_score(episode, score=0, context="current", recorded_at="2026-09-09T10:00:00+00:00")
    assert kept(app, episode)[0]["pain.current"]["latest_value"] == 0
    created(as_therapist.post(f"{API}/pain-scores/{score['id']}/entered-in-error", json=REASON), 200)
    assert kept(app, episode)[0]["pain.current"]["latest_value"] is None
    assert_kept_as_answered(app, as_therapist, episode)

    created(as_therapist.post(f"{API}/episodes/{episode}/discharge", json={"reason": "goals_met"}), 200)
    line = assert_kept_as_answered(app, as_therapist, episode) and kept(app, episode)[1]
    assert line["status"] == "discharged" and line["days_in_care"] is not None
    created(as_therapist.post(f"{API}/episodes/{episode}/reopen", json={"reason": "Pain came back."}), 200)
    line = assert_kept_as_answered(app, as_therapist, episode) and kept(app, episode)[1]
    assert (line["status"], line["discharge_date"], line["days_in_care"]) == ("active", None, None)


def test_an_episode_entered_in_error_has_no_rows(app, as_therapist, create_episode, create_response):
    episode = create_episode()["id"]
    _nprs(create_response, episode, 6, 0)
    assert kept(app, episode) != ({}, None)
    created(as_therapist.post(f"{API}/episodes/{episode}/entered-in-error", json=REASON), 200)
    assert kept(app, episode) == ({}, None)
    assert rebuilt(app, episode) == ({}, None)


def test_a_rejected_request_leaves_the_rows_as_they_were(app, as_therapist, create_episode, create_response,
                                                         create_visit):
    episode = create_episode()["id"]
    _nprs(create_response, episode, 6, 0)
    create_visit(episode)  # a draft: discharge waits for it
    before = kept(app, episode)
    assert as_therapist.post(f"{API}/episodes/{episode}/discharge", json={"reason": "goals_met"}).status_code == 409
    assert as_therapist.post(f"{API}/episodes/{episode}/pain-scores",
                             json={"score": 11, "context": "current"}).status_code == 422
    assert kept(app, episode) == before
    # Refused after its pain scores were recorded (and their events sent): still nothing changes.
    with signals.visit_created.connected_to(_refuse):
        answer = as_therapist.post(f"{API}/episodes/{episode}/visits", json={
            **FOLLOW_UP, "visit_date": "2026-09-08", "pain_scores": [{"score": 1, "context": "current"}]})
    assert answer.status_code == 409
    assert kept(app, episode) == before


def _refuse(_visit: Any, **_details: Any) -> None:
    raise Conflict("Refused after the event, for the test.")


def test_a_write_costs_the_same_statements_at_2_scores_or_20(as_therapist, create_episode, create_pain_score,
                                                            count_queries):
    def cost(prior: int) -> int:
        episode = create_episode()["id"]
        for n in range(prior):
            create_pain_score(episode, score=n % 11, recorded_at=f"2026-09-{1 + n:02d}T10:00:00+00:00")
        with count_queries() as counter:
            create_pain_score(episode, score=4, recorded_at="2026-09-25T10:00:00+00:00")
        return counter.count

    assert cost(2) == cost(20)


# ---- any sequence of writes: the kept rows are a rebuild's --------------------------------------------

DAYS = st.integers(min_value=0, max_value=40)
WRITES = st.one_of(
    st.tuples(st.just("nprs"), st.integers(0, 10), DAYS),
    st.tuples(st.just("kujala"), st.booleans(), DAYS),
    st.tuples(st.just("replace"), st.integers(0, 10), st.integers(0, 10)),
    st.tuples(st.just("pain"), st.integers(0, 10), st.sampled_from(["current", "stairs_down"]), DAYS),
    st.tuples(st.just("run"), st.integers(1, 25), st.integers(0, 4), DAYS),
    st.tuples(st.just("in_error"), st.sampled_from(["pain-scores", "runs"]), st.integers(0, 10)),
    st.tuples(st.just("visit"), st.booleans(), st.integers(0, 10), DAYS),
    st.tuples(st.just("void"), st.integers(0, 10)),
    st.tuples(st.just("discharge")),
    st.tuples(st.just("reopen")),
)


class Writer:
    """Applies one write over HTTP and remembers the ids a later write may name; refusals (4xx) are writes too."""

    def __init__(self, client: Any, episode: str):
        self.client, self.episode, self.visits = client, episode, 0
        self.ids: dict[str, list[str]] = {"responses": [], "pain-scores": [], "runs": [], "drafts": []}

    def post(self, path: str, body: dict[str, Any], keep: str | None = None) -> Any:
        answer = self.client.post(f"{API}{path}", json=body)
        assert answer.status_code < 500, answer.get_json()
        if keep and answer.status_code == 201:
            self.ids[keep].append(answer.get_json()["id"])
        return answer

    def at(self, day: int) -> str:
        return f"{START + timedelta(days=day)}T09:00:00+00:00"

    def respond(self, questionnaire: str, answers: dict[str, Any], day: int, **body: Any) -> None:
        self.post(f"/episodes/{self.episode}/responses",
                  {"questionnaire": questionnaire, "answers": answers, "taken_at": self.at(day), **body}, "responses")

    def apply(self, write: tuple[Any, ...]) -> None:
        kind, *args = write
        getattr(self, f"_{kind}")(*args)

    def _nprs(self, pain: int, day: int) -> None:
        self.respond("nprs", {"pain": pain}, day)

    def _kujala(self, better: bool, day: int) -> None:
        self.respond("kujala", KUJALA_88 if better else KUJALA_56, day)

    def _replace(self, pain: int, index: int) -> None:
        if self.ids["responses"]:
            replaced = self.ids["responses"][index % len(self.ids["responses"])]
            self.post(f"/episodes/{self.episode}/responses",
                      {"questionnaire": "nprs", "answers": {"pain": pain}, "replaces": replaced}, "responses")

    def _pain(self, score: int, context: str, day: int) -> None:
        self.post(f"/episodes/{self.episode}/pain-scores",
                  {"score": score, "context": context, "recorded_at": self.at(day)}, "pain-scores")

    def _run(self, km: int, pain: int, day: int) -> None:
        self.post(f"/episodes/{self.episode}/runs", {"run_date": str(START + timedelta(days=day)), "distance_km": km,
                                                     "duration_min": 6 * km, "pain_during": pain, "pain_after": pain},
                  "runs")

    def _in_error(self, kind: str, index: int) -> None:
        if self.ids[kind]:
            self.post(f"/{kind}/{self.ids[kind][index % len(self.ids[kind])]}/entered-in-error", REASON)

    def _visit(self, sign: bool, score: int, day: int) -> None:
        body = {**FOLLOW_UP, "visit_date": str(START + timedelta(days=day)),
                "pain_scores": [{"score": score, "context": "stairs_down"}]}
        if not self.visits:
            body = {**body, "visit_type": "initial_evaluation", "visit_date": str(START)}
        answer = self.post(f"/episodes/{self.episode}/visits", body)
        if answer.status_code == 201:
            self.visits += 1
            visit = answer.get_json()
            if sign:
                self.post(f"/visits/{visit['id']}/sign", {})
            else:
                self.ids["drafts"].append(visit["id"])

    def _void(self, index: int) -> None:
        if self.ids["drafts"]:
            self.post(f"/visits/{self.ids['drafts'].pop(index % len(self.ids['drafts']))}/void",
                      {"reason": "A duplicate."})

    def _discharge(self) -> None:
        self.post(f"/episodes/{self.episode}/discharge", {"reason": "goals_met"})

    def _reopen(self) -> None:
        self.post(f"/episodes/{self.episode}/reopen", {"reason": "Pain came back."})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(WRITES, min_size=1, max_size=12))
def test_any_writes_keep_the_rows_a_rebuild_makes(app, as_therapist, create_episode, writes):
    episode = create_episode()["id"]
    writer = Writer(as_therapist, episode)
    for write in writes:
        writer.apply(write)
    assert kept(app, episode) == rebuilt(app, episode)
    assert_kept_as_answered(app, as_therapist, episode)


# ---- the command line ------------------------------------------------------------------------------------

def test_rebuild_on_the_command_line_puts_deleted_rows_back(fresh_app, new_staff):
    desk, therapist = new_staff(fresh_app, "front_desk"), new_staff(fresh_app)
    episode = post_episode(therapist, post_patient(desk)["id"])["id"]
    for day, pain in ((0, 6), (14, 2)):
        post_response(therapist, episode, answers={"pain": pain}, taken_at=f"{START + timedelta(days=day)}T09:00:00Z")
    before = kept(fresh_app, episode)
    assert before[0]["nprs"]["mcid_reached"] is True
    with fresh_app.app_context():
        db.session.execute(delete(OutcomeSummary))
        db.session.execute(delete(EpisodeOutcomeSummary))
        db.session.commit()
    assert kept(fresh_app, episode) == ({}, None)
    result = fresh_app.test_cli_runner().invoke(args=["outcomes", "rebuild", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Recomputed 1 episodes and 1 measures in ")
    assert kept(fresh_app, episode) == before
