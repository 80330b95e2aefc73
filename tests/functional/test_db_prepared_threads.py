"""db.Prepared is shared by threads (the node's pool): a thread that runs a statement while another is still
setting up its result columns gets its rows, not a half-made shape (review R46).

The interleaving is forced, not hoped for: a line tracer holds the first thread inside the set-up, after the result
processors are made and before they are published; the second thread runs the statement then."""

from __future__ import annotations

import inspect
import sys
import threading
from decimal import Decimal
from types import FrameType
from typing import Any, cast

from sqlalchemy import Table, bindparam, select

from vitnemal.db import Database, Prepared
from vitnemal.records.models import Course

_course = cast(Table, Course.__table__).c
HELD_AT = "names = [column[0] for column in columns]"  # inside the set-up of a shape's result columns


def test_a_second_thread_during_the_first_runs_set_up_gets_its_rows(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        s.add(Course(code="X1", name_nb="X", name_en="X", credits=Decimal(10), grading_scale="letter", kind="course"))
    statement = Prepared(select(_course.code).where(_course.code == bindparam("code")))
    source, first = inspect.getsourcelines(Prepared.execute)
    assert any(HELD_AT in line for line in source), "the set-up changed: move HELD_AT"
    held_line = first + next(n for n, line in enumerate(source) if HELD_AT in line)
    held, go = threading.Event(), threading.Event()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code is not Prepared.execute.__code__:
            return None

        def local(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "line" and frame.f_lineno == held_line and not held.is_set():
                held.set()
                go.wait(30)
            return local
        return local

    got: dict[str, list[str]] = {}

    def first() -> None:
        sys.settrace(tracer)
        try:
            with db.read_session() as s:
                got["first"] = [r.code for r in statement.execute(s, {"code": "X1"})]
        finally:
            sys.settrace(None)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert held.wait(30), "the first thread never reached the set-up"
        with db.read_session() as s:
            got["second"] = [r.code for r in statement.execute(s, {"code": "X1"})]
    finally:
        go.set()
        thread.join(30)
    assert got == {"first": ["X1"], "second": ["X1"]}
    db.dispose()
