"""The requester's side of the batch question (:mod:`vitnemal.node.batch`): what one node's batch answer says about
each applicant asked, decided without I/O.

The reply as a whole is checked first, as a single reply is (arrived, not refused, signed by that node's registered
key, bound to our batch); a failure there is every applicant's outcome. Then each applicant's item is judged as a
single answer about them would be (:func:`vitnemal.exchange.outcomes.judge`: bound to the item we sent, about our
applicant, well-formed, degrees released), so one bad item never spoils the others' answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from vitnemal.exchange.outcomes import Outcome, Reply, Verdict, classify, judge
from vitnemal.institutions.registry import Registry
from vitnemal.node.batch import item_answer, parse_batch_answer
from vitnemal.node.protocol import ProtocolError, verify
from vitnemal.node.wire import ASK_ALONE


@dataclass(frozen=True)
class Asking:
    """One applicant in a batch we sent: the item's id and the ids the applicant may be answered under."""

    item_id: str
    subject_ids: tuple[str, ...]


def classify_batch(reply: Reply, *, node: str, requester: str, request_id: str, items: Sequence[Asking],
                   registry: Registry, fetch_date: date) -> list[Verdict | None]:
    """One verdict per item of ``items``, in order; None for an applicant the node asked us to ask alone. Never
    raises: whatever a reply contains becomes the outcome of the applicants it concerns."""
    try:
        return _classify_batch(reply, node=node, requester=requester, request_id=request_id, items=items,
                               registry=registry, fetch_date=fetch_date)
    except Exception as exc:  # hostile input must never escape as an exception
        return [Verdict(Outcome.INVALID_ANSWER, f"{node}'s answer could not be read ({type(exc).__name__})")] * len(
            items)


def _classify_batch(reply: Reply, *, node: str, requester: str, request_id: str, items: Sequence[Asking],
                    registry: Registry, fetch_date: date) -> list[Verdict | None]:
    if reply.error is not None or reply.status_code is None or not 200 <= reply.status_code < 300:
        # Not answered, or refused as a whole: the single question's rules say what that means for everyone.
        whole = classify(reply, node=node, requester=requester, request_id=request_id, subject_ids=(),
                         registry=registry, fetch_date=fetch_date)
        return [whole] * len(items)
    try:
        _, payload = verify(reply.body, registry, expected_signer=node)
        envelope = parse_batch_answer(payload)
    except ProtocolError as exc:
        return [Verdict(Outcome.INVALID_ANSWER, f"{node}'s answer was rejected: {exc.message}")] * len(items)
    if envelope.iss != node or envelope.aud != requester or envelope.in_reply_to != request_id:
        return [Verdict(Outcome.INVALID_ANSWER, f"{node}'s answer is not an answer to this batch")] * len(items)
    answered = {item.id: item for item in envelope.items}
    if len(answered) != len(envelope.items):
        return [Verdict(Outcome.INVALID_ANSWER, f"{node}'s answer names one applicant's item twice")] * len(items)
    verdicts: list[Verdict | None] = []
    for asking in items:
        item = answered.get(asking.item_id)
        if item is None:
            verdicts.append(Verdict(Outcome.INVALID_ANSWER, f"{node}'s answer leaves this applicant out"))
        elif item.status == ASK_ALONE:
            verdicts.append(None)
        else:
            try:
                verdicts.append(judge(item_answer(envelope, item), node=node, requester=requester,
                                      request_id=asking.item_id, subject_ids=asking.subject_ids,
                                      fetch_date=fetch_date))
            except Exception as exc:  # this applicant's item only
                verdicts.append(Verdict(Outcome.INVALID_ANSWER,
                                        f"{node}'s answer about this applicant could not be read "
                                        f"({type(exc).__name__})"))
    return verdicts
