"""registry.json is checked when it is read: its size, its nesting, the members' required fields and their types,
no unknown field, no code twice; what is wrong is said with the member and the file."""

from __future__ import annotations

import json

import pytest

from vitnemal.institutions.registry import (
    MAX_REGISTRY_BYTES,
    LiveRegistry,
    Registry,
    RegistryInvalid,
    parse_registry,
)

MEMBER = {"code": "216", "name_nb": "Høgskulen i Sogn og Fjordane", "name_en": "Western Norway University College",
          "short_name": "HiSF", "node_url": "http://127.0.0.1:9/nodes/216"}


def _doc(*members: object) -> bytes:
    return json.dumps({"institutions": list(members)}).encode()


def test_a_registry_with_its_members() -> None:
    found = parse_registry(_doc(MEMBER, {**MEMBER, "code": "185", "kind": "institution", "withdrawn_at": None}))
    assert sorted(found) == ["185", "216"] and found["216"].short_name == "HiSF"


@pytest.mark.parametrize(("raw", "said"), [
    (b"[" * 50 + b"]" * 50, "nested deeper than 8 levels"),
    (b"{not json", "not JSON"),
    (b'{"members": []}', "it has no list 'institutions'"),
    (_doc(42), "member #1 is not a JSON object"),
    (_doc({k: v for k, v in MEMBER.items() if k != "name_nb"}), "member #1 (code '216'): 'name_nb' is missing"),
    (_doc({**MEMBER, "node_url": 7}), "member #1 (code '216'): 'node_url' is not text"),
    (_doc({**MEMBER, "code": ""}), "'code' is empty"),
    (_doc({**MEMBER, "evil": 1}), "member #1 (code '216'): unknown fields 'evil'"),
    (_doc({**MEMBER, "previous_keys": {}}), "'previous_keys' is not list"),
    (_doc({**MEMBER, "kind": "pirate"}), "member #1 (code '216'): 'pirate' is not a valid MemberKind"),
    (_doc(MEMBER, MEMBER), "member #2: the code '216' is listed twice"),
])
def test_what_is_not_a_registry_is_said(raw: bytes, said: str) -> None:
    with pytest.raises(RegistryInvalid) as refused:
        parse_registry(raw, "/srv/fed/registry.json")
    assert said in str(refused.value), str(refused.value)
    assert str(refused.value).startswith("/srv/fed/registry.json is not a federation registry: ")
    assert "Restore the operator's last copy" in str(refused.value)


def test_a_file_too_large_is_not_read_as_json(tmp_path) -> None:
    path = tmp_path / "registry.json"
    path.write_bytes(b" " * (MAX_REGISTRY_BYTES + 1))
    with pytest.raises(RegistryInvalid, match="larger than"):
        Registry.load(path)


def test_a_running_process_keeps_the_last_good_registry(tmp_path) -> None:
    path = tmp_path / "registry.json"
    path.write_bytes(_doc(MEMBER))
    live = LiveRegistry(path)
    path.write_bytes(_doc({**MEMBER, "name_nb": None}))  # replaced by a broken one
    assert live.institutions["216"].name_nb == "Høgskulen i Sogn og Fjordane"
