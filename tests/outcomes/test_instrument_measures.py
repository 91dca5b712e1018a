"""How an instrument's responses become measures over HTTP: versions that share a range are one measure and a
version with another range a measure of its own; each subscale is a measure; the PSFS gives its mean and one
measure per activity the patient named (a renamed activity starts a series of its own)."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.factories import API, UWRI, created, outcomes_url, read


def by_key(outcome: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {measure["key"]: measure for measure in outcome["measures"]}


def values(measure: dict[str, Any]) -> list[Any]:
    return [point["value"] for point in measure["series"]]


def uwri_version(levels: int, subscale: bool = False) -> dict[str, Any]:
    """UWRI with each item's options 0 … levels − 1 points (a range of 0 to 9 × (levels − 1)), and optionally a
    subscale of its first three items."""
    definition = copy.deepcopy(UWRI)
    for item in definition["items"]:
        item["options"] = item["options"][:levels]
    definition["range"] = {"min": 0, "max": 9 * (levels - 1)}
    if subscale:
        definition["scoring"]["subscales"] = [{"code": "stride", "title": "Stride", "method": "sum",
                                               "items": ["q1", "q2", "q3"]}]
    return definition


def uwri(level: int, day: str, version: int) -> dict[str, Any]:
    return {"questionnaire": "uwri", "version": version, "answers": {f"q{n}": f"level_{level}" for n in range(1, 10)},
            "taken_at": f"{day}T09:00:00+00:00"}


@pytest.fixture
def three_versions(as_admin):
    """uwri v1 (0–36, with a subscale), v2 (0–27), v3 (0–36 again)."""
    for definition in (uwri_version(5, subscale=True), uwri_version(4), uwri_version(5)):
        created(as_admin.post(f"{API}/questionnaires", json=definition))


def test_versions_sharing_a_range_are_one_measure_and_another_range_is_its_own(as_therapist, episode,
                                                                              create_response, three_versions):
    for level, day, version in ((1, "2026-09-01", 1), (2, "2026-09-08", 2), (3, "2026-09-15", 3),
                                (3, "2026-09-22", 2)):
        create_response(episode["id"], **uwri(level, day, version))

    measures = by_key(read(as_therapist, outcomes_url(episode["id"])))

    first, second = measures["uwri.v1"], measures["uwri.v2"]
    assert (first["versions"], values(first), first["change"], first["range"]) == ([1, 3], [9, 27], 18,
                                                                                   {"min": 0, "max": 36})
    assert (first["mcid"]["points"], first["mcid_reached"]) == (8, True)  # Nelson 2020: 8 points
    assert (second["versions"], values(second), second["change"], second["range"]) == ([2], [18, 27], 9,
                                                                                       {"min": 0, "max": 27})
    # The subscale of v1 (its first three items): one score, a baseline without change, no MCID of its own.
    stride = measures["uwri.v1.stride"]
    assert (stride["kind"], stride["subscale"], values(stride), stride["change"], stride["mcid"]) == (
        "subscale", "stride", [3], None, None)
    assert "uwri" not in measures


def test_one_range_keeps_the_code_as_its_key(as_therapist, episode, create_response, three_versions):
    create_response(episode["id"], **uwri(1, "2026-09-01", 1))
    create_response(episode["id"], **uwri(4, "2026-09-15", 3))

    measure = by_key(read(as_therapist, outcomes_url(episode["id"])))["uwri"]

    assert (measure["versions"], values(measure), measure["change"], measure["headline"]) == ([1, 3], [9, 36], 27,
                                                                                             False)


def psfs(day: str, **ratings: tuple[str, int]) -> dict[str, Any]:
    answers = {}
    for item, (name, rating) in ratings.items():
        answers |= {f"{item}_name": name, item: rating}
    return {"questionnaire": "psfs", "answers": answers, "taken_at": f"{day}T09:00:00+00:00"}


def test_the_psfs_gives_its_mean_and_each_activity_and_a_renamed_one_is_another(as_therapist, create_episode,
                                                                                 create_response):
    episode = create_episode(body_region="hip", diagnosis_code="M70.62",
                             diagnosis_text="Trochanteric bursitis, left hip")["id"]
    first = create_response(episode, **psfs("2026-09-01", activity_1=("Running", 2), activity_2=("Stairs", 3),
                                            activity_3=("Squatting", 4)))["id"]
    later = create_response(episode, **psfs("2026-09-29", activity_1=("running ", 7), activity_2=("Stairs", 8),
                                            activity_3=("Hopping", 6)))["id"]

    measures = by_key(read(as_therapist, outcomes_url(episode)))

    assert [key for key in measures if key.startswith("psfs")] == [
        "psfs", "psfs.activity_1", "psfs.activity_2", "psfs.activity_3", "psfs.activity_3.2"]
    mean = measures["psfs"]
    assert (values(mean), mean["change"], mean["mcid"]["points"], mean["mcid_reached"], mean["headline"]) == (
        [3, 7], 4, 2, True, True)  # the hip's baseline set asks for the PSFS
    running = measures["psfs.activity_1"]
    assert (running["kind"], running["activity"], running["label"]) == ("psfs_activity", "Running",
                                                                        "the PSFS rating of “Running”")
    # One activity's MCID is 3 points (Stratford 1995): 2 → 7 reaches it, each score its response's.
    assert (values(running), running["change"], running["mcid"]["points"], running["mcid_reached"]) == (
        [2, 7], 5, 3, True)
    assert [point["source_id"] for point in running["series"]] == [first, later]
    assert (values(measures["psfs.activity_3"]), measures["psfs.activity_3"]["change"]) == ([4], None)
    assert (measures["psfs.activity_3.2"]["activity"], values(measures["psfs.activity_3.2"])) == ("Hopping", [6])
