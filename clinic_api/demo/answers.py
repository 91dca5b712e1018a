"""Answers to the built-in instruments that score exactly what a course calls for, read from the definitions
the questionnaires package ships (their item ids, option codes and points), so that they are valid by
construction: a Kujala of exactly 56, a LEFS of 61, an intake with every red-flag question answered."""
from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from clinic_api.demo.cast import Condition
from clinic_api.questionnaires.builtins import load_builtin_definitions

KNEE_INTAKE, OTHER_INTAKE = "runner_intake", "running_injury_intake"
# How much each item of a choice instrument moves with the condition (1: the most): a runner's knee pain
# shows on stairs, squatting, running and jumping long before limping or walking.
WEIGHTS = {
    "kujala": {"stairs": 1.4, "squatting": 1.4, "running": 1.6, "jumping": 1.4, "prolonged_sitting": 1.1,
               "pain": 1.3, "swelling": 0.5, "limp": 0.3, "support": 0.3, "walking": 0.2,
               "abnormal_kneecap_movements": 0.2, "thigh_atrophy": 0.5, "flexion_deficiency": 0.3},
    "lefs": {"running_even_ground": 1.5, "running_uneven_ground": 1.6, "sharp_turns_running_fast": 1.7,
             "hopping": 1.7, "usual_hobbies_recreation_sport": 1.5, "squatting": 1.1, "stairs_10": 0.9,
             "heavy_activities_home": 0.6, "walking_a_mile": 0.5, "standing_1_hour": 0.4},
}
OTHER_WEIGHT = 0.15


@cache
def definition(code: str) -> dict[str, Any]:
    """The shipped definition of a built-in instrument (the demo answers its latest version)."""
    return next(found for found in load_builtin_definitions() if found["code"] == code)


def _scored_choices(code: str) -> list[tuple[str, list[tuple[str, int]]]]:
    items = {item["id"]: item for item in definition(code)["items"]}
    return [(item_id, [(option["code"], int(option["points"])) for option in items[item_id]["options"]])
            for item_id in definition(code)["scoring"]["items"]]


@cache
def choice_answers(code: str, total: int) -> dict[str, str]:
    """Answers to a summed choice instrument (Kujala, LEFS) that score exactly ``total``: of all the ways to
    reach it, the one closest to an even spread of the loss over the items, weighted as ``WEIGHTS`` says."""
    items = _scored_choices(code)
    top = sum(max(points for _code, points in options) for _item, options in items)
    if not 0 <= total <= top:
        raise ValueError(f"{code} scores 0 to {top}, not {total}.")
    weights = WEIGHTS[code]
    mean_weight = sum(weights.get(item, OTHER_WEIGHT) for item, _options in items) / len(items)
    severity = 1 - total / top
    best: dict[int, tuple[float, tuple[str, ...]]] = {0: (0.0, ())}
    for item, options in items:
        item_top = max(points for _code, points in options)
        wanted = min(1.0, severity * weights.get(item, OTHER_WEIGHT) / mean_weight)
        reached: dict[int, tuple[float, tuple[str, ...]]] = {}
        for subtotal, (cost, picks) in best.items():
            for option, points in options:
                candidate = (cost + ((item_top - points) / item_top - wanted) ** 2, (*picks, option))
                key = subtotal + points
                if key <= total and (key not in reached or candidate[0] < reached[key][0]):
                    reached[key] = candidate
        best = reached
    if total not in best:
        raise ValueError(f"No answers to {code} score {total}.")
    return dict(zip((item for item, _options in items), best[total][1], strict=True))


def psfs_answers(activities: tuple[str, ...], ratings: tuple[int, ...]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for number, (name, rating) in enumerate(zip(activities, ratings, strict=True), start=1):
        answers[f"activity_{number}_name"], answers[f"activity_{number}"] = name, rating
    return answers


def psfs_mean(ratings: tuple[int, ...]) -> float:
    """The PSFS score of these ratings as the instrument computes it (the mean, to one decimal, half up)."""
    tenths = sum(ratings) * 10 / len(ratings)
    return int(tenths + 0.5) / 10


def single_answer(code: str, value: int) -> dict[str, int]:
    """NPRS (``pain``) or GROC (``global_change``): the one scored item."""
    return {definition(code)["scoring"]["items"][0]: value}


def intake_code(condition: Condition) -> str:
    return KNEE_INTAKE if condition.region == "knee" else OTHER_INTAKE


def _asked(item: dict[str, Any], region: str) -> bool:
    condition = item.get("enable_when")
    return condition is None or condition.get("context") != "body_region" or region in condition["in"]


def screen_items(condition: Condition) -> list[str]:
    """The red-flag screen of the condition's intake: its required yes/no questions asked for the region."""
    return [item["id"] for item in definition(intake_code(condition))["items"]
            if item["type"] == "boolean" and item.get("required") and _asked(item, condition.region)]


AGGRAVATING = {"knee": ("aggravated_stairs_down", "aggravated_hills", "aggravated_long_runs",
                        "aggravated_squatting", "aggravated_sitting"),
               "other": ("aggravated_running", "aggravated_hills", "aggravated_walking", "morning_stiffness")}


def intake_answers(condition: Condition, *, side: str, onset: date, pain: tuple[int, int, int],
                   weekly_km: tuple[float, float], years_running: int, changes: tuple[str, ...],
                   race: tuple[str, date, float] | None = None, red_flags: tuple[str, ...] = ()) -> dict[str, Any]:
    """The intake form the patient fills in: the complaint, the pain now, at worst and at best, what makes it
    worse, the running before and now, the recent training changes, the goal race and the red-flag screen
    (every question answered no but those in ``red_flags``)."""
    answers: dict[str, Any] = {
        "main_complaint": condition.complaint.format(side=side), "side": side, "onset_date": onset.isoformat(),
        "onset_type": "after_training_change" if changes else "gradual",
        "pain_now": pain[0], "pain_worst": pain[1], "pain_best": pain[2],
        "weekly_distance_before_km": weekly_km[0], "weekly_distance_now_km": weekly_km[1],
        "years_running": years_running}
    for item in AGGRAVATING["knee" if condition.region == "knee" else "other"]:
        answers[item] = True
    for change in ("distance", "hills", "shoes", "surface", "speed_work"):
        answers[f"change_{change}"] = change in changes
    if race is not None:
        answers |= {"goal_race_name": race[0], "goal_race_date": race[1].isoformat(),
                    "goal_race_distance_km": race[2]}
    unknown = set(red_flags) - set(screen_items(condition))
    if unknown:
        raise ValueError(f"Not on the {intake_code(condition)} screen for the {condition.region}: {sorted(unknown)}")
    return answers | {item: item in red_flags for item in screen_items(condition)}
