"""Who the demo clinic is: its staff, the names its patients are drawn from, the conditions it treats (with
their ICD-10-CM codes), where patients are referred from and the races they train for. Plain data."""
from __future__ import annotations

from dataclasses import dataclass

EMAIL_DOMAIN = "demo.clinic.example"
# (login name, full name, role): three therapists and the front desk; the clinic's admin is made elsewhere.
STAFF = (("dana", "Dana Whitaker", "therapist"), ("marcus", "Marcus Osei", "therapist"),
         ("priya", "Priya Raman", "therapist"), ("leo", "Leo Fischer", "front_desk"))
THERAPISTS = tuple(key for key, _name, role in STAFF if role == "therapist")


def staff_email(key: str) -> str:
    return f"{key}@{EMAIL_DOMAIN}"


FEMALE_NAMES = (
    "Amelia", "Ana", "Aisha", "Beatriz", "Camille", "Charlotte", "Chloe", "Clara", "Daniela", "Eleanor", "Elena",
    "Emily", "Emma", "Fatima", "Freya", "Gabriela", "Hana", "Harriet", "Ingrid", "Isabel", "Jasmine", "Julia",
    "Kaia", "Laura", "Leah", "Lucia", "Mei", "Mia", "Naomi", "Olivia", "Priyanka", "Rachel", "Rosa", "Sakura",
    "Sarah", "Sienna", "Sofia", "Tara", "Valentina", "Yara", "Zoe", "Hannah", "Grace", "Ines", "Maddie",
)
MALE_NAMES = (
    "Aaron", "Adam", "Andre", "Ben", "Carlos", "Daniel", "David", "Diego", "Elias", "Ethan", "Felix", "Gabriel",
    "Hugo", "Ibrahim", "Jack", "James", "Jonas", "Kenji", "Kofi", "Lars", "Leon", "Liam", "Lucas", "Mateo",
    "Max", "Nathan", "Noah", "Omar", "Oscar", "Pablo", "Ravi", "Samuel", "Thomas", "Tomas", "Yusuf",
)
LAST_NAMES = (
    "Adeyemi", "Andersen", "Baker", "Bauer", "Bianchi", "Brennan", "Brooks", "Carter", "Chen", "Cohen", "Costa",
    "Dubois", "Duarte", "Eriksen", "Evans", "Ferreira", "Fischer", "Fitzgerald", "García", "Gomez", "Hansen",
    "Hayes", "Hughes", "Ito", "Jansen", "Johansson", "Kaur", "Kelly", "Khan", "Kim", "Kowalski", "Larsen",
    "Lopez", "MacLeod", "Martin", "Meyer", "Mendes", "Moreau", "Morales", "Müller", "Murphy", "Nakamura",
    "Nguyen", "Novak", "O'Brien", "Okafor", "Olsen", "Park", "Patel", "Petrov", "Quinn", "Reyes", "Rossi",
    "Santos", "Schmidt", "Shah", "Silva", "Singh", "Sørensen", "Suzuki", "Tanaka", "Thompson", "Torres",
    "Turner", "Varga", "Walsh", "Weber", "Wilson", "Yilmaz", "Zhang",
)
AREA_CODES = (206, 212, 303, 312, 415, 503, 617, 720)

REFERRALS = ("Self-referred", "Self-referred", "Sports physician", "Family physician", "Orthopaedic surgeon",
             "Running club coach", "Podiatrist")
# (name, distance in km) of the races the patients train for.
RACES = (("Riverside Half Marathon", "21.1"), ("Harbour 10K", "10"), ("Lakeside Half Marathon", "21.1"),
         ("Ridge Trail 25K", "25"), ("Autumn Marathon", "42.2"), ("Park 5K", "5"))


@dataclass(frozen=True)
class Condition:
    """A condition the clinic treats: its body region, ICD-10-CM code and text by side, how patients put it,
    the pain contexts scored at each visit, where on the body it is felt and the PSFS activities it limits."""

    key: str
    region: str
    codes: dict[str, str]
    texts: dict[str, str]
    complaint: str
    contexts: tuple[str, ...]
    where: str
    activities: tuple[str, str, str]

    @property
    def main_pain(self) -> str:
        """The pain context that tells the condition's course best (stairs for the knee, say)."""
        return self.contexts[1]


def _condition(key: str, region: str, codes: tuple[str, str], text: str, complaint: str, contexts: tuple[str, ...],
               where: str, activities: tuple[str, str, str]) -> Condition:
    """A condition from its ICD-10-CM codes (right, left) and a text naming the ``{side}``."""
    return Condition(key, region, {"right": codes[0], "left": codes[1]},
                     {side: text.format(side=side) for side in ("right", "left")}, complaint, contexts, where,
                     activities)


PFP = _condition("pfp", "knee", ("M22.2X1", "M22.2X2"), "Patellofemoral pain syndrome, {side} knee",
                 "Ache around the {side} kneecap on long runs and going down stairs",
                 ("current", "stairs_down", "squatting"), "around the kneecap",
                 ("Running 10 km", "Going down stairs", "Squatting"))
ITBS = _condition("itbs", "thigh", ("M76.31", "M76.32"), "Iliotibial band syndrome, {side} leg (lateral knee pain)",
                  "Sharp pain on the outside of the {side} knee after a few km, worse running downhill",
                  ("current", "stairs_down"), "on the outside of the knee",
                  ("Running more than 5 km", "Running downhill", "Cycling to work"))
MTSS = _condition("mtss", "lower_leg", ("M76.891", "M76.892"),
                  "Medial tibial stress syndrome (shin splints), {side} leg",
                  "Aching along the inner {side} shin during and after runs", ("current", "worst_24h"),
                  "along the inner shin", ("Running on the road", "Hopping", "Walking for an hour"))
ACHILLES = _condition("achilles", "ankle", ("M76.61", "M76.62"), "Achilles tendinopathy, {side} leg",
                      "Stiff, painful {side} Achilles first thing in the morning and at the start of runs",
                      ("current", "worst_24h", "stairs_up"), "in the Achilles tendon",
                      ("Running hills", "Walking up stairs", "Jumping"))
# Mostly patellofemoral pain: the clinic's runners, by share.
CONDITIONS = ((PFP, 62), (ITBS, 14), (MTSS, 13), (ACHILLES, 11))
