"""Record events: a lower layer announces what it wrote, a higher layer keeps its derived data current.

One blinker namespace for the clinical record, as Flask itself and Indico use signals. Writers send an
event after the row is flushed; receivers run synchronously inside the same request transaction, so
what they write commits or rolls back with the change that caused it. Receivers never commit.

Every event is sent with the written record as sender and the episode's id as ``episode_id``; a
receiver connects with ``@signal.connect`` (any sender) in the package that cares.
"""
from __future__ import annotations

from blinker import Namespace

_record = Namespace()

response_recorded = _record.signal("response-recorded", doc="A questionnaire response was stored (scored).")
response_replaced = _record.signal("response-replaced", doc="A response was replaced by a correction; "
                                                            "sender is the replaced one, ``by`` the new one.")
pain_score_recorded = _record.signal("pain-score-recorded", doc="A pain score was stored (alone or with a visit).")
run_recorded = _record.signal("run-recorded", doc="A run of the return to running was logged.")
visit_created = _record.signal("visit-created", doc="A visit was logged as a draft.")
visit_changed = _record.signal("visit-changed", doc="A draft visit was changed; ``fields`` names what changed.")
visit_signed = _record.signal("visit-signed", doc="A visit note was signed.")
goal_changed = _record.signal("goal-changed", doc="A goal was set or changed; ``created`` tells which.")
run_entered_in_error = _record.signal("run-entered-in-error", doc="A run was marked entered in error (kept, out "
                                                               "of lists and weekly totals).")
pain_score_entered_in_error = _record.signal("pain-score-entered-in-error", doc="A pain score was marked entered "
                                                                             "in error (kept, out of lists).")
visit_voided = _record.signal("visit-voided", doc="A draft visit was voided by its author; its pain scores leave "
                                                  "the lists and counts with it.")
visit_entered_in_error = _record.signal("visit-entered-in-error", doc="A signed note was marked entered in error "
                                                                      "(it stays signed); its pain scores leave "
                                                                      "the lists and counts with it.")
visit_reassigned = _record.signal("visit-reassigned", doc="A draft visit was given to another author; "
                                                          "``previous_therapist_id`` names the one before.")
episode_opened = _record.signal("episode-opened", doc="An episode of care was opened.")
episode_changed = _record.signal("episode-changed", doc="An episode was changed; ``fields`` names what changed.")
episode_discharged = _record.signal("episode-discharged", doc="An episode of care was discharged.")
episode_reopened = _record.signal("episode-reopened", doc="A discharged episode was reopened.")
episode_entered_in_error = _record.signal("episode-entered-in-error", doc="An episode was marked entered in "
                                                                          "error (opened by mistake).")

RECORD_EVENTS = (response_recorded, response_replaced, pain_score_recorded, run_recorded, visit_created,
                 visit_changed, visit_signed, goal_changed, run_entered_in_error, pain_score_entered_in_error,
                 visit_voided, visit_entered_in_error, visit_reassigned, episode_opened, episode_changed,
                 episode_discharged, episode_reopened, episode_entered_in_error)
