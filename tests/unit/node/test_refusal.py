"""A node's refusal is rendered and read back by one class, never by splitting strings."""

from __future__ import annotations

from vitnemal.node.protocol import Refusal


def test_a_refusal_reads_back_as_it_was_sent() -> None:
    sent = Refusal(429, "rate_limited", "too many requests: 1: 2", retry_after_s=30)
    assert Refusal.from_body(429, sent.body()) == sent
    assert sent.headers() == {"retry-after": "30"} and sent.passing
    assert Refusal(401, "stale", "old").passing and not Refusal(401, "bad_signature", "no").passing


def test_anything_else_is_kept_as_a_short_message() -> None:
    got = Refusal.from_body(400, b"<html>" + b"x" * 1000)
    assert got.reason == "unknown" and len(got.message) <= 300 and not got.passing
    assert Refusal.from_body(400, b"[" * 100 + b"]" * 100).reason == "unknown"
    assert Refusal.from_body(422, b'{"detail": "plain"}').message == "plain"
    assert Refusal.from_body(429, b'{"detail": {"error": "x", "message": "m", "retry_after_s": 1e400}}').reason \
        == "unknown"
