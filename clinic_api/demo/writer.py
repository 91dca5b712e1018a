"""A planned patient written through the services, in the order the clinic works: the front desk registers
the patient, opens a pending episode and enters the intake; the therapist reviews any red flag, completes the
episode with the diagnosis, sets the goals, logs and signs each visit with its pain scores and the measures
due, logs the runs, marks the goals reached and discharges; the front desk enters the follow-ups. Every rule,
audit event and record event of the API applies. Nothing here commits: the command commits per patient."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from clinic_api.auth.models import User
from clinic_api.core.types import clinic_zone
from clinic_api.demo.course import EpisodePlan, GoalPlan, PatientPlan, Response, VisitPlan
from clinic_api.episodes import service as episodes
from clinic_api.patients import service as patients
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.questionnaires import service as questionnaires
from clinic_api.visits import service as visits
from clinic_api.visits.models import Goal


@dataclass(frozen=True)
class Staff:
    desk: User
    therapists: dict[str, User]


@dataclass(frozen=True)
class Writer:
    """Writes plans as ``staff``; ``now`` bounds every moment (an entry of today is never ahead of the clock)."""

    staff: Staff
    now: datetime
    confirm_new: bool = False

    def moment(self, day: date, minute: int) -> datetime:
        at = datetime.combine(day, time(minute // 60, minute % 60), clinic_zone()).astimezone(UTC)
        return min(at, self.now)

    def patient(self, plan: PatientPlan, counts: Counter[str]) -> Patient:
        patient = patients.create_patient(**plan.registration(), confirm_new=self.confirm_new)
        self.episode(patient, plan.episode)
        _count(plan.episode, counts)
        return patient

    def respond(self, episode: EpisodeOfCare, response: Response, therapist: User) -> None:
        by = self.staff.desk if response.by == "desk" else therapist
        questionnaires.record_response(episode, by, questionnaire=response.code, answers=response.answers,
                                       source="patient", taken_at=self.moment(response.day, response.minute),
                                       follow_up=response.follow_up or None)

    def episode(self, patient: Patient, plan: EpisodePlan) -> None:
        therapist = self.staff.therapists[plan.therapist]
        episode = episodes.open_episode(
            patient, self.staff.desk, body_region=plan.condition.region, side=plan.side, start_date=plan.start,
            onset_date=plan.onset, referral_source=plan.referral,
            therapist_id=therapist.id if plan.assigned else None).episode
        for response in plan.intake:
            self.respond(episode, response, therapist)
        if plan.status == "pending":
            return
        for flag, note in plan.red_flags.items():
            episodes.acknowledge_red_flag(episode.id, flag, note, therapist)
        episodes.update_episode(episodes.episode_to_change(episode.id).episode,
                                {"diagnosis_code": plan.condition.codes[plan.side],
                                 "diagnosis_text": plan.condition.texts[plan.side]}, therapist)
        goals = [_set_goal(episode, therapist, goal, plan.start) for goal in plan.goals]
        for visit in plan.visits:
            self.visit(episode, visit, therapist)
        for run in plan.runs:
            visits.record_run(episode, therapist, run_date=run.day, distance_km=run.distance_km,
                              duration_min=run.duration_min, run_walk=run.run_walk, surface=run.surface,
                              pain_during=run.pain_during, pain_after=run.pain_after, notes=run.notes)
        for goal, row in zip(plan.goals, goals, strict=True):
            if goal.status == "met":
                visits.update_goal(visits.lock_goal(row.id), {"status": "met", "status_date": goal.status_date})
        if plan.discharge is not None:
            episodes.discharge_episode(
                patients.lock_episode(episode.id), reason=plan.discharge.reason, discharge_date=plan.discharge.day,
                note=plan.discharge.note, goals=[{"id": row.id, "status": goal.status}
                                                 for goal, row in zip(plan.goals, goals, strict=True)
                                                 if goal.status not in ("met", "active")])
        for response in plan.follow_ups:
            self.respond(episode, response, therapist)

    def visit(self, episode: EpisodeOfCare, plan: VisitPlan, therapist: User) -> None:
        """A visit logged as a draft with its pain scores, the measures taken at it, then signed."""
        row = visits.create_visit(episode, therapist, visit_type=plan.visit_type, visit_date=plan.day,
                                  pain_scores=[{"score": score, "context": context}
                                               for context, score in plan.pain.items()],
                                  interventions=plan.interventions, home_exercises=plan.home_exercises, **plan.note)
        for response in plan.responses:
            self.respond(episode, response, therapist)
        visits.sign_visit(row, therapist)


def _set_goal(episode: EpisodeOfCare, therapist: User, goal: GoalPlan, on: date) -> Goal:
    return visits.create_goal(episode, therapist, text=goal.text, target_date=goal.target_date,
                              target={"measure": goal.measure, "value": goal.value}, status_date=on)


def _count(plan: EpisodePlan, counts: Counter[str]) -> None:
    """What writing the episode created, for the command's summary."""
    counts["patients"] += 1
    counts[f"episodes {plan.status}"] += 1
    counts["visits"] += len(plan.visits)
    counts["responses"] += (len(plan.intake) + len(plan.follow_ups)
                            + sum(len(visit.responses) for visit in plan.visits))
    counts["follow-up responses"] += len(plan.follow_ups)
    counts["pain scores"] += sum(len(visit.pain) for visit in plan.visits)
    counts["runs"] += len(plan.runs)
    counts["goals"] += len(plan.goals)
    counts["red flags"] += len(plan.red_flags)
