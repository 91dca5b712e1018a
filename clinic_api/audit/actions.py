"""Every action the audit trail records, in one catalogue: what ``GET /audit-events?action=`` accepts, and
what a writer may record (an action missing here is a bug found by the tests, not a silent new name)."""
from __future__ import annotations

ACTIONS: tuple[str, ...] = (
    "auth.login", "auth.logout", "auth.password_change",
    "user.create", "user.update",
    "patient.create", "patient.read", "patient.list", "patient.update", "patient.archive", "patient.duplicate_check",
    "episode.create", "episode.read", "episode.list", "episode.update", "episode.discharge", "episode.reopen",
    "episode.entered_in_error", "episode.due_read", "episode.outcomes_read",
    "questionnaire.create",
    "questionnaire_response.create", "questionnaire_response.read", "questionnaire_response.list",
    "questionnaire_response.replace",
    "red_flag.read", "red_flag.acknowledge",
    "visit.create", "visit.read", "visit.update", "visit.sign", "visit.addendum", "visit.void",
    "visit.entered_in_error", "visit.draft_list", "visit.reassign", "visit_note.read",
    "pain_score.create", "pain_score.read", "pain_score.entered_in_error",
    "run.create", "run.read", "run.weekly_read", "run.entered_in_error",
    "goal.create", "goal.read", "goal.update",
    "report.outcomes", "report.outcomes_export",
)


def ensure_known(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to clinic_api.audit.actions.ACTIONS")
