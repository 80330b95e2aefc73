"""The portal's rules, without a database: expiry, selection, the code, attempts, states, purge, names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from vitnemal.portal import rules
from vitnemal.portal.rules import AttemptVerdict, Selection, ShareRefused, ShareState

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 16:00 in Oslo


def test_default_expiry_is_the_end_of_the_fourteenth_day_in_oslo() -> None:
    expires = rules.share_expiry(NOW, None)
    assert expires == datetime(2026, 12, 16, 0, 0, tzinfo=rules.OSLO)
    assert expires.astimezone(UTC) == datetime(2026, 12, 15, 23, 0, tzinfo=UTC)


def test_expiry_at_most_one_year_and_not_in_the_past() -> None:
    assert rules.share_expiry(NOW, date(2027, 12, 1)) == datetime(2027, 12, 2, tzinfo=rules.OSLO)
    with pytest.raises(ShareRefused, match="at most one year"):
        rules.share_expiry(NOW, date(2027, 12, 2))
    with pytest.raises(ShareRefused, match="past"):
        rules.share_expiry(NOW, date(2026, 11, 30))
    # Today is allowed: the share lives until midnight.
    assert rules.share_expiry(NOW, date(2026, 12, 1)) == datetime(2026, 12, 2, tzinfo=rules.OSLO)


def test_states() -> None:
    expires = NOW + timedelta(days=1)
    assert rules.share_state(expires, None, NOW) is ShareState.ACTIVE
    assert rules.share_state(expires, None, expires) is ShareState.EXPIRED
    assert rules.share_state(expires, NOW, NOW) is ShareState.ENDED
    assert rules.share_state(expires, NOW, expires + timedelta(days=3)) is ShareState.ENDED


def test_purge_twelve_months_after_the_share_ends() -> None:
    expires = datetime(2027, 1, 31, 23, tzinfo=UTC)
    assert rules.purge_at(expires, None) == datetime(2028, 1, 31, 23, tzinfo=UTC)
    ended = datetime(2026, 12, 5, tzinfo=UTC)
    assert rules.purge_at(expires, ended) == datetime(2027, 12, 5, tzinfo=UTC)
    assert not rules.purge_due(expires, ended, datetime(2027, 12, 4, 23, 59, tzinfo=UTC))
    assert rules.purge_due(expires, ended, datetime(2027, 12, 5, tzinfo=UTC))
    # An end on 29 February is purged on the last day of February the next year.
    assert rules.add_months(datetime(2028, 2, 29, tzinfo=UTC), 12) == datetime(2029, 2, 28, tzinfo=UTC)


SNAPSHOT = [
    {"code": "216", "name": "HiSF", "qualifications": [{"key": "BA", "code": "BA", "courses": ["A|2020|VÅR",
                                                                                         "B|2020|HØST"]}],
     "results": [{"key": "A|2020|VÅR", "grade": "B"}, {"key": "B|2020|HØST", "grade": "A"},
                 {"key": "C|2021|VÅR", "grade": "C"}, {"key": "D|2021|VÅR", "grade": "B"}]},
    {"code": "214", "name": "HiNT", "qualifications": [], "results": [{"key": "X|2019|VÅR", "grade": "Bestått"}]},
]


def test_a_qualification_is_shared_with_all_its_courses() -> None:
    shared = rules.select_snapshot(SNAPSHOT, Selection(qualifications=frozenset({("216", "BA")})))
    assert [i["code"] for i in shared] == ["216"]
    assert [r["key"] for r in shared[0]["results"]] == ["A|2020|VÅR", "B|2020|HØST"]
    quals, others = rules.split_courses(shared[0])
    assert [r["key"] for r in quals[0]["course_rows"]] == ["A|2020|VÅR", "B|2020|HØST"]
    assert others == []


def test_other_courses_are_chosen_freely() -> None:
    shared = rules.select_snapshot(SNAPSHOT, Selection(courses=frozenset({("216", "D|2021|VÅR"),
                                                                         ("214", "X|2019|VÅR")})))
    assert [(i["code"], [r["key"] for r in i["results"]]) for i in shared] == [
        ("216", ["D|2021|VÅR"]), ("214", ["X|2019|VÅR"])]
    assert shared[0]["qualifications"] == []
    assert rules.counts(shared) == (0, 2)


def test_a_selection_of_unknown_results_is_refused() -> None:
    with pytest.raises(ShareRefused, match="Not among"):
        rules.select_snapshot(SNAPSHOT, Selection(courses=frozenset({("216", "Z|2020|VÅR")})))
    with pytest.raises(ShareRefused, match="Nothing"):
        rules.select_snapshot(SNAPSHOT, Selection())


def test_failed_results_are_never_shared() -> None:
    snap = [{"code": "1", "qualifications": [], "results": [{"key": "F1", "grade": "F"},
                                                           {"key": "F2", "grade": "Ikke bestått"}]}]
    assert rules.select_snapshot(snap, Selection(courses=frozenset({("1", "F1"), ("1", "F2")}))) == []


def test_access_code_alphabet_format_and_hash() -> None:
    code = rules.new_access_code()
    assert len(code) == 14 and code.count("-") == 2
    assert set(code.replace("-", "")) <= set(rules.CODE_ALPHABET)
    assert not set("0O1IL2Z5S8BUV") & set(rules.CODE_ALPHABET)
    stored = rules.hash_code(code)
    assert code not in stored and code.replace("-", "") not in stored
    assert rules.code_matches(code, stored)
    assert rules.code_matches(code.lower().replace("-", " "), stored)
    assert not rules.code_matches(rules.new_access_code(), stored)
    assert not rules.code_matches(code, "plain$" + code)
    assert not rules.code_matches(code, "scrypt$zz$00")
    assert rules.hash_code(code) != stored  # salted


def test_codes_do_not_repeat() -> None:
    assert len({rules.new_access_code() for _ in range(200)}) == 200


def test_attempt_limits_per_share_and_per_client() -> None:
    minute = timedelta(minutes=1)
    four = [NOW - i * minute for i in range(1, 5)]
    assert rules.attempt_decision(four, four, NOW).allowed
    five = [*four, NOW - 10 * minute]
    locked = rules.attempt_decision(five, five, NOW)
    assert locked.verdict is AttemptVerdict.SHARE_LOCKED
    assert locked.retry_after == NOW - 10 * minute + rules.ATTEMPT_WINDOW
    # Failures older than the window no longer count.
    assert rules.attempt_decision([NOW - timedelta(hours=2)] * 9, [], NOW).allowed
    many = [NOW - i * minute for i in range(1, 21)]
    assert rules.attempt_decision([], many, NOW).verdict is AttemptVerdict.CLIENT_LOCKED
    assert rules.locks_share(4) and not rules.locks_share(5) and not rules.locks_share(3)


def test_recipients() -> None:
    assert rules.normalise_recipients([" HR@Example.no, hr@example.no; b@c.no "]) == ["hr@example.no", "b@c.no"]
    for bad in ["nobody", "a@b", "a b@c.no", "<x>@c.no"]:
        with pytest.raises(ShareRefused):
            rules.normalise_recipients([bad])
    with pytest.raises(ShareRefused, match="At most"):
        rules.normalise_recipients([f"p{i}@x.no" for i in range(11)])
    with pytest.raises(ShareRefused):
        rules.normalise_recipients([""])


def test_language_and_message() -> None:
    assert [rules.check_language(x) for x in ("nb", "nn", "en", "se")] == ["nb", "nn", "en", "se"]
    with pytest.raises(ShareRefused):
        rules.check_language("de")
    assert rules.check_message("  ") is None
    with pytest.raises(ShareRefused):
        rules.check_message("x" * 1001)


def test_passed() -> None:
    assert rules.is_passed("A") and rules.is_passed("Bestått") and not rules.is_passed(" f ")


def _sitting(code: str, year: int, season: str, grade: str) -> dict[str, object]:
    return {"key": f"{code}|{year}|{season}", "course_code": code, "name_nb": code, "name_en": code,
            "kind": "language_test", "year": year, "season": season, "grade": grade}


def test_language_tests_show_the_latest_and_the_best_passed_result_per_part() -> None:
    results = [_sitting("NP-LESING", 2019, "HØST", "B1"), _sitting("NP-LESING", 2021, "VÅR", "A2"),
               _sitting("NP-SKRIFTLIG", 2019, "HØST", "Under A1"), _sitting("NP-SKRIFTLIG", 2021, "VÅR", "B1"),
               _sitting("NP-MUNTLIG", 2019, "HØST", "B2"), _sitting("NP-MUNTLIG", 2022, "HØST", "B2"),
               _sitting("STATSBORGER", 2021, "VÅR", "Ikke bestått"), _sitting("SAMFUNN", 2023, "VÅR", "Ikke bestått"),
               {"key": "EXPHIL|2019|HØST", "course_code": "EXPHIL", "kind": "course", "year": 2019, "season": "HØST",
                "grade": "A"}]
    parts = {p.code: p for p in rules.language_test_parts(results)}
    assert set(parts) == {"NP-LESING", "NP-SKRIFTLIG", "NP-MUNTLIG"}  # nothing passed in the others; no courses
    assert (parts["NP-LESING"].best["grade"], parts["NP-LESING"].latest["grade"]) == ("B1", "A2")
    assert [r["grade"] for r in parts["NP-SKRIFTLIG"].shown] == ["B1"]  # "Under A1" is not a level reached
    assert [r["year"] for r in parts["NP-MUNTLIG"].shown] == [2022]  # a tie goes to the later sitting
    assert not rules.is_passed("Under A1")
    # Sharing a part shares its best and its latest result; a part not fetched is refused.
    inst = {"code": "hkdir", "name": "HK-dir", "results": results, "qualifications": []}
    shared = rules.select_snapshot([inst], Selection(tests=frozenset({("hkdir", "NP-LESING")})))
    assert [r["key"] for r in shared[0]["results"]] == ["NP-LESING|2019|HØST", "NP-LESING|2021|VÅR"]
    with pytest.raises(ShareRefused, match="hkdir:STATSBORGER"):
        rules.select_snapshot([inst], Selection(tests=frozenset({("hkdir", "STATSBORGER")})))
    assert rules.split_courses(inst)[1] == [results[-1]]  # language tests are not "other courses"
