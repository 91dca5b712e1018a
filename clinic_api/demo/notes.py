"""The therapists' words: short SOAP notes, interventions and home exercises, written from the figures of
the visit they describe (the pain scored, the runs of the past week, the measures taken), so that what a
note says is what the record holds."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from clinic_api.demo.cast import Condition

# What the therapist finds, by condition and by how far the patient has come (0: irritable ... 3: resolved).
FINDINGS = {
    "pfp": ("Single-leg squat reproduces anterior knee pain at 45° with dynamic valgus; step-down painful. "
            "Hip abduction 4/5, quadriceps 4/5 on the {side}; patellar compression painful, no effusion.",
            "Single-leg squat pain-free to 60°, less valgus; step-down 20 cm mildly painful. Hip abduction 4+/5.",
            "Single-leg squat pain-free to 90° with good control; 10 single-leg hops pain-free. Hip abduction 5/5.",
            "Full squat and 20 single-leg hops pain-free; hip and quadriceps strength equal on both sides."),
    "itbs": ("Tender over the lateral femoral epicondyle; Noble compression positive at 30°. Hip abduction 4/5 "
             "with a Trendelenburg drop on single-leg stance.",
             "Epicondyle less tender; Noble compression mildly positive. Single-leg stance control better.",
             "Noble compression negative; hip abduction 5/5; single-leg squat well controlled.",
             "No tenderness; 20 minutes on the treadmill pain-free, cadence up by 5 %."),
    "mtss": ("Diffuse tenderness along the distal posteromedial tibia over more than 5 cm; hopping mildly painful, "
             "not focal. 15 single-leg calf raises on the {side}, 25 on the other.",
             "Tibial tenderness reduced; 10 single-leg hops pain-free; 20 calf raises.",
             "Minimal tenderness; hop test pain-free; 25 single-leg calf raises.",
             "No tenderness; 30 hops pain-free; calf-raise endurance equal on both sides."),
    "achilles": ("Thickened, tender mid-portion 3 cm above the insertion; 10 single-leg heel raises on the {side} "
                 "(25 on the other) with pain 5/10. Royal London test positive.",
                 "Mid-portion tenderness reduced; 18 single-leg heel raises, pain 2/10.",
                 "22 single-leg heel raises pain-free; 20 hops pain-free.",
                 "Heel-raise endurance equal on both sides; hopping and skipping pain-free."),
}
FACTORS = {"distance": "a quick rise in weekly distance", "hills": "more hill running",
           "shoes": "new shoes", "surface": "a change of surface", "speed_work": "added speed work"}
EXERCISES = {
    "pfp": (("Side-lying hip abduction", 3, 15, "body weight"), ("Wall sit at 45°", 4, 1, "45 s hold"),
            ("Step-down from 15 cm", 3, 12, "body weight"), ("Split squat", 3, 10, "2 × 8 kg")),
    "itbs": (("Clamshell with band", 3, 15, "medium band"), ("Side plank with hip abduction", 3, 8, "body weight"),
             ("Lateral band walk", 3, 12, "medium band"), ("Single-leg deadlift", 3, 10, "10 kg")),
    "mtss": (("Seated calf raise", 3, 20, "20 kg"), ("Band inversion (tibialis posterior)", 3, 15, "heavy band"),
             ("Single-leg calf raise", 3, 15, "body weight"), ("Pogo hops", 3, 20, "body weight")),
    "achilles": (("Isometric heel-raise hold", 5, 1, "45 s hold"), ("Eccentric heel drop off a step", 3, 15,
                                                                    "body weight"),
                 ("Seated soleus raise", 3, 12, "25 kg"), ("Skipping", 3, 30, "body weight")),
}
PAIN_WORDS = {"current": "pain now", "stairs_down": "pain going down stairs", "squatting": "pain squatting",
              "worst_24h": "worst pain in the past day", "stairs_up": "pain going up stairs",
              "during_running": "pain while running"}


@dataclass(frozen=True)
class Week:
    """The runs of a week: how many, the distance, the highest pain, the run/walk interval if any."""

    runs: int
    km: Decimal
    max_pain: int
    run_walk: str | None

    def planned(self) -> str:
        intervals = f" as run/walk {self.run_walk}" if self.run_walk else ""
        return f"{self.runs} run{'s' * (self.runs != 1)}, {self.km:g} km in all{intervals}"

    def said(self) -> str:
        return f"{self.planned()}, pain up to {self.max_pain}/10"


@dataclass(frozen=True)
class VisitFacts:
    """What a note is written from."""

    condition: Condition
    side: str
    level: int
    pain: dict[str, int]
    first_pain: dict[str, int]
    measures: dict[str, float] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)
    last_week: Week | None = None
    next_week: Week | None = None


def level_of(improvement: float) -> int:
    return 0 if improvement < 0.3 else 1 if improvement < 0.6 else 2 if improvement < 0.85 else 3


def _findings(facts: VisitFacts) -> str:
    return FINDINGS[facts.condition.key][facts.level].format(side=facts.side)


def _pain_said(facts: VisitFacts) -> str:
    context = facts.condition.main_pain
    now, first = facts.pain[context], facts.first_pain[context]
    was = f" (was {first}/10)" if now != first else ""
    return f"{PAIN_WORDS[context].capitalize()} {now}/10{was}."


def _measures_said(facts: VisitFacts) -> str:
    names = {"kujala": "Kujala", "lefs": "LEFS", "psfs": "PSFS", "nprs": "NPRS", "groc": "GROC"}
    said = []
    for code, value in facts.measures.items():
        if code == "groc":
            said.append(f"GROC {value:+g}")
        elif code in facts.baseline:
            said.append(f"{names[code]} {facts.baseline[code]:g} → {value:g}")
    return ("Measures: " + ", ".join(said) + ".") if said else ""


def _plan_said(facts: VisitFacts) -> str:
    if facts.next_week is None:
        return "Home programme daily; no running for now, run/walk once hopping is pain-free."
    return (f"Running over the next 7 days: {facts.next_week.planned()}. Progress while pain stays at 2/10 or less "
            "during and the morning after; home programme continued.")


def _how_long(days: int) -> str:
    return f"{round(days / 30.4)} months" if days >= 90 else f"{max(1, round(days / 7))} weeks"


def evaluation(facts: VisitFacts, *, weekly_km: Decimal, days_of_pain: int, changes: Sequence[str]) -> dict[str, str]:
    factors = ", ".join(FACTORS[change] for change in changes) or "no clear change in training"
    return {
        "subjective": (f"{facts.condition.complaint.format(side=facts.side)} for {_how_long(days_of_pain)}. Ran "
                       f"{weekly_km:g} km a week before. {_pain_said(facts)}"),
        "objective": _findings(facts),
        "assessment": f"{facts.condition.texts[facts.side]}. Likely load-related: {factors}.",
        "plan": "Education on load and pain monitoring; strengthening programme. " + _plan_said(facts),
    }


def _progress_said(facts: VisitFacts) -> str:
    context = facts.condition.main_pain
    drop = facts.first_pain[context] - facts.pain[context]
    if drop >= 3:
        return "Improving well."
    return "Improving slowly." if drop >= 1 else "No real change so far."


def follow_up(facts: VisitFacts) -> dict[str, str]:
    running = f"Past 7 days: {facts.last_week.said()}." if facts.last_week else "No running in the past week."
    return {"subjective": f"{_pain_said(facts)} {running}",
            "objective": _findings(facts),
            "assessment": " ".join(part for part in (_progress_said(facts), _measures_said(facts)) if part),
            "plan": _plan_said(facts)}


def discharge(facts: VisitFacts, summary: str) -> dict[str, str]:
    running = f"Past 7 days: {facts.last_week.said()}." if facts.last_week else "Not running at present."
    return {"subjective": f"{_pain_said(facts)} {running}",
            "objective": _findings(facts),
            "assessment": " ".join(part for part in (summary, _measures_said(facts)) if part),
            "plan": "Discharged with the home programme twice a week; build up as planned and get in touch if "
                    "pain returns above 3/10."}


def interventions(visit_type: str, facts: VisitFacts) -> list[dict[str, object]]:
    done: list[dict[str, object]] = []
    if visit_type == "initial_evaluation":
        done.append({"code": "97162", "description": "Physical therapy evaluation, moderate complexity",
                     "minutes": 45})
    elif visit_type == "re_evaluation":
        done.append({"code": "97164", "description": "Physical therapy re-evaluation", "minutes": 20})
    done.append({"code": "97110", "description": "Therapeutic exercise", "minutes": 30 if facts.level < 3 else 20})
    if facts.level == 0:
        done.append({"code": "97140", "description": "Manual therapy (soft tissue)", "minutes": 10})
    if facts.last_week is not None:
        done.append({"code": "97530", "description": "Running retraining: cadence and step width", "minutes": 15})
    return done


def home_exercises(facts: VisitFacts) -> list[dict[str, object]]:
    chosen = EXERCISES[facts.condition.key][min(facts.level, 2):min(facts.level, 2) + 2]
    return [{"name": name, "sets": sets, "reps": reps, "load": load, "frequency": "daily" if facts.level < 2
             else "3 times a week", "notes": None} for name, sets, reps, load in chosen]
