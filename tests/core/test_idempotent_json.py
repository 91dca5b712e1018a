"""An idempotent retry is recognised by what it says, not by its bytes: the same JSON with its keys in
another order or other white space is replayed; another body under the same key is refused."""
from __future__ import annotations

import json

from tests.factories import API, MADDIE, assert_problem


def post_raw(client, body: str, key: str):
    return client.post(f"{API}/patients", data=body, headers={"Idempotency-Key": key,
                                                              "Content-Type": "application/json"})


def test_the_same_json_reordered_and_spaced_is_replayed(as_front_desk):
    first = post_raw(as_front_desk, json.dumps(MADDIE), "intake-desk-1")
    assert first.status_code == 201, first.get_json()
    reordered = json.dumps(dict(reversed(list(MADDIE.items()))), indent=4)

    again = post_raw(as_front_desk, reordered, "intake-desk-1")

    assert again.status_code == 201, again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert as_front_desk.get(f"{API}/patients", query_string={"q": "Maddie"}).get_json()["total"] == 1


def test_another_body_under_the_same_key_is_refused(as_front_desk):
    assert post_raw(as_front_desk, json.dumps(MADDIE), "intake-desk-2").status_code == 201
    assert_problem(post_raw(as_front_desk, json.dumps({**MADDIE, "phone": "+1 555 010 0111"}), "intake-desk-2"),
                   422, "Idempotency-Key")
