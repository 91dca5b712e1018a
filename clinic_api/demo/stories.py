"""The clinic's two testimonials, told with exact figures (README, "A demo clinic"):

- **Nora Whitfield**, three weeks before her first marathon with right knee and inner shin pain: she reaches
  the start line and runs the City Marathon (42.2 km, pain 0/10 during and 1/10 after); her goal "Run the City
  Marathon pain-free" is met on the race date. Kujala 71 → 95 over 5 visits.
- **Maya Castellano**, five months of left knee pain: Kujala 56 → 88 and pain going down stairs 7/10 → 1/10
  over 6 visits, back to her usual 40 km week pain-free in week 7 of her episode.

Their dates are laid relative to today like everything else; their figures never change.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from clinic_api.demo import answers
from clinic_api.demo.care import Chart
from clinic_api.demo.cast import PFP
from clinic_api.demo.course import (
    DischargePlan,
    EpisodePlan,
    GoalPlan,
    PatientPlan,
    Runner,
    RunPlan,
    Schedule,
    Severity,
)

CHANGES = ("distance", "hills")  # what both changed in their training before the pain
# (days from the race, km, minutes, run/walk, pain during, pain after, notes); the race is a Sunday.
NORA_RUNS = (
    (-19, "8.0", "47.5", None, 3, 2, "Knee ache from 6 km; inner shin sore after."),
    (-17, "10.0", "58.0", None, 3, 3, "Kneecap and inner shin ached on the downhill."),
    (-14, "24.0", "148.0", None, 3, 2, "Last long run: knee ached from 18 km, shin fine."),
    (-12, "8.0", "46.0", None, 2, 1, None),
    (-10, "12.0", "69.5", None, 2, 1, None),
    (-7, "16.0", "92.0", None, 1, 1, "Knee quiet; shin a little tight after."),
    (-5, "8.0", "45.5", None, 1, 0, None),
    (-3, "6.0", "33.0", None, 0, 0, "Easy with strides."),
    (-1, "4.0", "23.5", None, 0, 0, "Shake-out."),
    (0, "42.2", "252.5", None, 0, 1, "City Marathon, her first: 4:12:30, no knee or shin pain; a little stiff after."),
    (3, "4.0", "26.0", None, 0, 0, "Recovery jog."),
)
# (days from the race, pain by context, scores of the measures due, note)
NORA_VISITS = (
    (-20, {"current": 4, "stairs_down": 6, "squatting": 5}, {}, {
        "subjective": "First marathon, the City Marathon, in three weeks. Pain at the front of the right knee and "
                      "along the inner right shin on long runs for three weeks, since building up to 45 km a week; "
                      "6/10 on the downhill stretches. Stairs down 6/10.",
        "objective": "Single-leg squat reproduces anterior knee pain at 45° with dynamic valgus. Mild diffuse "
                     "tenderness along the distal medial tibia; hopping not painful, no focal bone tenderness. Hip "
                     "abduction 4/5 on the right.",
        "assessment": "Patellofemoral pain syndrome, right knee, with medial tibial soreness after a quick rise in "
                      "distance; low irritability. The race is realistic with load management.",
        "plan": "Keep the taper but cap the long run at 24 km; hip and quadriceps strengthening, calf raises. Pain "
                "up to 3/10 while running is fine if it has settled by the next morning."}),
    (-13, {"current": 3, "stairs_down": 4, "squatting": 3}, {}, {
        "subjective": "Stairs 4/10. Three runs, 42 km: the 24 km long run ached at the knee from 18 km (3/10), "
                      "shin fine.",
        "objective": "Single-leg squat pain-free to 60°; tibia no longer tender.",
        "assessment": "Improving; the taper starts now.",
        "plan": "Taper week: 36 km, long run 16 km; cadence up 5 %."}),
    (-6, {"current": 2, "stairs_down": 2, "squatting": 2}, {"nprs": 2, "kujala": 84, "lefs": 70}, {
        "subjective": "Stairs 2/10. Taper week done: 36 km, pain 2/10 on the 8 and 12 km, 1/10 on the 16 km.",
        "objective": "Single-leg squat pain-free to 90°; 10 single-leg hops pain-free.",
        "assessment": "Kujala 71 → 84, NPRS 4 → 2. Ready to race.",
        "plan": "Race week: 8 and 6 km easy and a 4 km shake-out. Start at 6:00 min/km, walk the aid stations."}),
    (-2, {"current": 1, "stairs_down": 1, "squatting": 1}, {}, {
        "subjective": "Stairs 1/10. Easy 8 and 6 km since Monday, pain 1/10 at most.",
        "objective": "Squat and hops pain-free; trial run with the right knee taped, comfortable.",
        "assessment": "Ready for Sunday's race.",
        "plan": "Race on Sunday; tape if she wants it; easy walking and ice after."}),
    (5, {"current": 0, "stairs_down": 0, "squatting": 0}, {"nprs": 0, "kujala": 95, "lefs": 79, "groc": 7}, {
        "subjective": "Ran the City Marathon on Sunday in 4:12:30: no knee or shin pain during (0/10), 1/10 "
                      "stiffness after. A 4 km recovery jog pain-free. Stairs 0/10.",
        "objective": "Full squat, 20 single-leg hops and step-downs pain-free; tibia not tender.",
        "assessment": "Goals met: her first marathon, finished pain-free. Kujala 71 → 95, LEFS 58 → 79. GROC +7.",
        "plan": "Discharged: two easy weeks, then rebuild to 45 km a week; home programme twice a week."}),
)
# (days from the start, km, minutes, run/walk, pain during, pain after, notes); the start is a Tuesday, so
# week 7 of the episode (Monday to Sunday) runs from day 48 to day 54.
MAYA_RUNS = (
    (8, "3.0", "24.0", "1:1", 3, 2, "First run in two months."), (11, "3.0", "23.5", "1:1", 2, 2, None),
    (15, "4.0", "28.5", "2:1", 2, 2, None), (17, "4.0", "28.0", "2:1", 2, 1, None),
    (19, "5.0", "34.5", "2:1", 2, 2, None), (20, "5.0", "28.0", None, 2, 1, "First continuous run."),
    (22, "6.0", "33.0", None, 1, 2, None), (25, "8.0", "44.5", None, 2, 2, None),
    (27, "6.0", "32.5", None, 1, 1, None), (29, "7.0", "38.0", None, 1, 1, None),
    (31, "6.0", "32.0", None, 1, 1, None), (33, "10.0", "55.0", None, 2, 1, None),
    (34, "7.0", "37.5", None, 1, 1, None), (36, "8.0", "43.0", None, 1, 0, None),
    (38, "6.0", "33.5", None, 3, 2, "Hill repeats: knee ached on the way down."),
    (40, "12.0", "66.0", None, 1, 1, None),
    (41, "8.0", "43.5", None, 1, 1, None), (43, "8.0", "42.5", None, 0, 1, None),
    (45, "6.0", "32.0", None, 0, 0, None), (47, "14.0", "76.0", None, 1, 1, None),
    (48, "8.0", "42.0", None, 0, 0, None), (50, "9.0", "47.5", None, 0, 1, None),
    (52, "7.0", "37.0", None, 0, 0, None), (54, "16.0", "86.0", None, 1, 1, "Usual Sunday long run, knee quiet."),
)
MAYA_VISITS = (
    (0, {"current": 5, "stairs_down": 7, "squatting": 6}, {}, {
        "subjective": "Pain behind the left kneecap for five months, worse on stairs, hills and after sitting at work. "
                      "Ran 40 km a week for years; stopped running two months ago. Stairs down 7/10.",
        "objective": "Single-leg squat reproduces pain at 30° with marked dynamic valgus; step-down from 20 cm "
                     "painful. Hip abduction 4/5 and quadriceps 4/5 on the left; patellar compression painful, no "
                     "effusion.",
        "assessment": "Patellofemoral pain syndrome, left knee: long-standing and load-sensitive, with weak hip "
                      "abductors and quadriceps.",
        "plan": "Education on load and pain monitoring (up to 2/10 is fine); hip and quadriceps strengthening "
                "daily; no running this week, then run/walk 1:1."}),
    (7, {"current": 4, "stairs_down": 6, "squatting": 5}, {}, {
        "subjective": "Stairs 6/10. Exercises daily, no flare. No running yet.",
        "objective": "Single-leg squat pain-free to 45°; hip abduction 4+/5.",
        "assessment": "Settling with the strengthening.",
        "plan": "Start run/walk 1:1, 3 km twice this week; pain at most 3/10, gone by the next morning."}),
    (14, {"current": 3, "stairs_down": 4, "squatting": 4}, {"nprs": 3, "kujala": 69, "lefs": 63}, {
        "subjective": "Stairs 4/10. Two run/walks of 3 km (1:1), pain up to 3/10 on the first and 2/10 on the second.",
        "objective": "Single-leg squat pain-free to 60°; step-down from 20 cm pain 2/10.",
        "assessment": "Improving well: Kujala 56 → 69, NPRS 5 → 3, LEFS 52 → 63.",
        "plan": "Run/walk 2:1 three times this week, 4 to 5 km."}),
    (24, {"current": 2, "stairs_down": 3, "squatting": 3}, {}, {
        "subjective": "Stairs 3/10. Since the last visit, run/walks of 4, 4 and 5 km, then continuous runs of 5 and "
                      "6 km, pain up to 2/10.",
        "objective": "Single-leg squat pain-free to 75°; 10 single-leg hops, pain 1/10.",
        "assessment": "On track.",
        "plan": "Four runs a week, about 10 % more each week; long run up to 10 km."}),
    (35, {"current": 1, "stairs_down": 2, "squatting": 2}, {"nprs": 2, "kujala": 80, "lefs": 71}, {
        "subjective": "Stairs 2/10. Four runs in the past week, 30 km, pain up to 2/10.",
        "objective": "Single-leg squat pain-free to 90°; 20 single-leg hops pain-free; hip abduction 5/5.",
        "assessment": "Kujala 69 → 80 (56 at the start: past the MCID), LEFS 63 → 71.",
        "plan": "Build to 40 km: four runs, long run 14 to 16 km; hills easy for two weeks."}),
    (55, {"current": 0, "stairs_down": 1, "squatting": 1}, {"nprs": 0, "kujala": 88, "lefs": 77, "groc": 6}, {
        "subjective": "Stairs 1/10. Last week 40 km in four runs, pain 0 to 1/10: her usual week again.",
        "objective": "Full squat, 30 single-leg hops and step-downs pain-free; strength equal on both sides.",
        "assessment": "Goals met: back to 40 km a week pain-free in week 7. Kujala 56 → 88; stairs 7 → 1/10 over 6 "
                      "visits. GROC +6.",
        "plan": "Discharged with the home programme twice a week; get in touch if pain returns above 3/10."}),
)


def _runs(base: date, rows: tuple, surface: str) -> list[RunPlan]:
    return [RunPlan(base + timedelta(days=offset), Decimal(km), Decimal(minutes), run_walk, surface, during, after,
                    note) for offset, km, minutes, run_walk, during, after, note in rows]


def _visits(chart: Chart, base: date, rows: tuple) -> None:
    rng = random.Random(0)  # only the generic notes' choices would use it; the stories give all their figures
    last = len(rows) - 1
    for index, (offset, pain, scores, note) in enumerate(rows):
        visit_type = "initial_evaluation" if index == 0 else "discharge" if index == last else "follow_up"
        chart.visit(rng, base + timedelta(days=offset), visit_type, index / last, pain=pain, scores=scores, note=note)


def _born(today: date, years: int, days: int) -> date:
    return today.replace(year=today.year - years, day=min(today.day, 28)) - timedelta(days=days)


def _chart(plan: EpisodePlan, schedule: Schedule, runner: Runner, start: tuple[dict[str, int], int, int], *,
           intake: tuple[tuple[int, int, int], float, int], race: tuple[str, date, float] | None = None) -> Chart:
    """The story's chart opened with its intake: ``start`` is the pain by context, Kujala and LEFS at the first
    visit; ``intake`` the pain now, at worst and at best, the weekly km now and the years of running."""
    pain, kujala, lefs = start
    severity = Severity({**pain, "worst_24h": intake[0][1], "stairs_up": pain["current"], "during_running": 6},
                        (kujala, 100), (lefs, 80), ((), ()))
    chart = Chart(plan, schedule, severity, weekly_km=runner.weekly_km, changes=CHANGES)
    chart.open_with_intake(answers.intake_answers(
        PFP, side=plan.side, onset=plan.onset, pain=intake[0], weekly_km=(float(runner.weekly_km), intake[1]),
        years_running=intake[2], changes=CHANGES, race=race))
    return chart


def _close(chart: Chart, base: date, visits: tuple, note: str, follow_up: dict[str, int]) -> None:
    """The visits, the discharge at the last (goals met) and, three months on, the follow-up set."""
    _visits(chart, base, visits)
    plan = chart.plan
    plan.discharge = DischargePlan(plan.visits[-1].day, "goals_met", note)
    chart.follow_up(plan.discharge.day + timedelta(days=chart.schedule.follow_up_days + 2), 1.0, follow_up)


def nora(today: date, schedule: Schedule) -> PatientPlan:
    back = today - timedelta(days=126)
    race = back - timedelta(days=(back.weekday() + 1) % 7)  # the Sunday on or before
    start = race - timedelta(days=20)
    runner = Runner(Decimal(45), 5.9, "road")
    plan = EpisodePlan(PFP, "right", start, start - timedelta(days=21), "Running club coach", "dana", True, [], {})
    chart = _chart(plan, schedule, runner, ({"current": 4, "stairs_down": 6, "squatting": 5}, 71, 58),
                   intake=((4, 7, 1), 30.0, 2), race=("City Marathon", race, 42.2))
    plan.runs = _runs(race, NORA_RUNS, "road")
    plan.goals = [GoalPlan("Run the City Marathon pain-free", "longest_run_km", Decimal("42.2"), race, "met", race),
                  GoalPlan("Go down stairs without pain", "pain_stairs_down", Decimal(1), race, "met",
                           race - timedelta(days=2)),
                  GoalPlan("Kujala score of 90 or more", "kujala", Decimal(90), race + timedelta(days=14), "met",
                           race + timedelta(days=5))]
    _close(chart, race, NORA_VISITS, f"Ran her first marathon, the City Marathon, on {race.isoformat()}: 42.2 km in "
           "4:12:30, pain 0/10 during and 1/10 after. Kujala 71 → 95; pain going down stairs 6 → 0/10. GROC +7.",
           {"nprs": 0, "kujala": 96, "lefs": 80})
    return PatientPlan("Nora", "Whitfield", "female", _born(today, 31, 140), "nora.whitfield@example.org",
                       "+1 503 555 0142", runner, 2, ("City Marathon", race, Decimal("42.2")), plan, story="marathon")


def maya(today: date, schedule: Schedule) -> PatientPlan:
    back = today - timedelta(days=200)
    start = back - timedelta(days=(back.weekday() - 1) % 7)  # the Tuesday on or before
    target = start + timedelta(days=56)
    runner = Runner(Decimal(40), 5.3, "road")
    plan = EpisodePlan(PFP, "left", start, start - timedelta(days=152), "Sports physician", "priya", True, [], {})
    chart = _chart(plan, schedule, runner, ({"current": 5, "stairs_down": 7, "squatting": 6}, 56, 52),
                   intake=((5, 8, 2), 0.0, 12))
    plan.runs = _runs(start, MAYA_RUNS, "road")
    plan.goals = [GoalPlan("Back to 40 km a week of running, pain-free", "weekly_distance_km", Decimal(40), target,
                           "met", start + timedelta(days=54)),
                  GoalPlan("Kujala score of 85 or more", "kujala", Decimal(85), target, "met",
                           start + timedelta(days=55)),
                  GoalPlan("Go down stairs without pain", "pain_stairs_down", Decimal(1), target, "met",
                           start + timedelta(days=55))]
    _close(chart, start, MAYA_VISITS, "Back to her usual 40 km a week pain-free in week 7. Kujala 56 → 88; pain "
           "going down stairs 7 → 1/10 over 6 visits. GROC +6.", {"nprs": 0, "kujala": 90, "lefs": 78})
    return PatientPlan("Maya", "Castellano", "female", _born(today, 38, 200), "maya.castellano@example.org",
                       "+1 617 555 0187", runner, 12, None, plan, story="back_to_distance")


def testimonials(today: date, schedule: Schedule) -> list[PatientPlan]:
    return [nora(today, schedule), maya(today, schedule)]
