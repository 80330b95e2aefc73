"""EMREX 1 rules: bounded session ids, only registered return URLs, and the hand-back form per return code."""

from __future__ import annotations

import pytest

from vitnemal.emrex.rules import (
    EmrexRefused,
    ReturnCode,
    check_session_id,
    handback,
    normalise_url,
    origin,
    registered_return_url,
)
from vitnemal.interop.elmo_sign import decode_transfer

REGISTERED = ["https://jobs.example.no/emrex/return", "http://127.0.0.1:8700/emrex/return"]


@pytest.mark.parametrize("value", ["", "a" * 65, "abc def", "<script>", "id\n", "ø"])
def test_a_bad_session_id_is_refused(value: str) -> None:
    with pytest.raises(EmrexRefused, match="sessionId"):
        check_session_id(value)


def test_a_session_id_of_32_random_characters_is_accepted() -> None:
    assert check_session_id("Ab3-" * 8) == "Ab3-" * 8


def test_only_a_registered_return_url_is_answered() -> None:
    assert registered_return_url("HTTPS://Jobs.Example.no/emrex/return", REGISTERED, production=True) == \
        "https://jobs.example.no/emrex/return"
    for other in ("https://jobs.example.no/emrex/return2", "https://evil.example/emrex/return",
                  "https://jobs.example.no.evil.example/emrex/return", "https://jobs.example.no:444/emrex/return"):
        with pytest.raises(EmrexRefused, match="not the return address"):
            registered_return_url(other, REGISTERED, production=True)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x/y", "https://user@jobs.example.no/r",
                                 "https://jobs.example.no/r#frag", "/emrex/return", "https://" + "a" * 600])
def test_a_return_url_that_is_not_a_plain_https_address_is_refused(url: str) -> None:
    with pytest.raises(EmrexRefused, match="returnUrl"):
        normalise_url(url, production=False)


def test_plain_http_only_to_this_machine_and_never_in_production() -> None:
    assert normalise_url("http://127.0.0.1:8700/emrex/return", production=False) == \
        "http://127.0.0.1:8700/emrex/return"
    with pytest.raises(EmrexRefused, match="https"):
        normalise_url("http://127.0.0.1:8700/emrex/return", production=True)
    with pytest.raises(EmrexRefused, match="https"):
        normalise_url("http://jobs.example.no/emrex/return", production=False)


def test_the_handback_carries_the_signed_elmo_with_ncp_ok_only() -> None:
    ok = handback(REGISTERED[0], "s1", ReturnCode.OK, "Sent 3 results", elmo=b"<elmo/>")
    assert ok.fields["returnCode"] == "NCP_OK" and decode_transfer(ok.fields["elmo"]) == b"<elmo/>"
    assert origin(ok.return_url) == "https://jobs.example.no"
    for code in (ReturnCode.NO_RESULTS, ReturnCode.CANCEL, ReturnCode.ERROR):
        form = handback(REGISTERED[0], "s1", code, "  line\nbreak  " + "x" * 900)
        assert "elmo" not in form.fields and form.fields["returnCode"] == code.value
        assert form.fields["returnMessage"].startswith("line break") and len(form.fields["returnMessage"]) == 500
    with pytest.raises(ValueError):
        handback(REGISTERED[0], "s1", ReturnCode.OK)
    with pytest.raises(ValueError):
        handback(REGISTERED[0], "s1", ReturnCode.CANCEL, elmo=b"<elmo/>")


@pytest.mark.parametrize("url", ["https://jobs.example.no:99999/r", "https://jobs.example.no:abc/r", "https://[::1/r"])
def test_a_return_url_that_cannot_be_parsed_is_refused_in_words(url: str) -> None:
    # urlsplit and .port raise ValueError for these; a client's form field must never become a server error.
    with pytest.raises(EmrexRefused, match="returnUrl"):
        normalise_url(url, production=True)
