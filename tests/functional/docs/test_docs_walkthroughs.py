"""Every command the docs show runs as written against one served demo (issue 8 #14).

Every `vitnemal …`, `curl …` and `openssl …` line of the fenced shell blocks (sh, bash, console or unmarked; other
lines are output) of every docs/*.md and of README.md, plus the commands of docs/exchange.md's table of the seed's
test procedure, run in the order of :data:`ORDER` (then every other doc, by name), in one working directory,
against one `vitnemal demo` started for this module on a free port. `vitnemal` lines run in-process (the CLI
runner), `curl` and `openssl` lines as a process (curl with the docs' port 8000 replaced by the demo's). Each must
exit with the code the doc gives ("exit code N" in the line's comment; else 0), print something (curl and openssl
may be quiet) and no traceback; `verify` must say GENUINE.

A line is left out only when the doc marks it, visibly, with "not run by the docs test: <why>" in its comment;
:data:`MARKED_AT_MOST` keeps that list short. A failure names the doc, the line and what the command printed."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app

ROOT = Path(__file__).parents[3]
# The ids the docs name are those a fresh demo gives when the docs are followed in this order: the recognition
# walkthrough's case and external results are the first at 185 (`diplomas sample` opens cases too, the seed's order
# imports results).
ORDER = ["recognition.md", "exchange.md", "verification.md", "school.md", "diplomas.md", "admissions.md"]
MARKER = re.compile(r"not run by the docs test: (\S.*)")
MARKED_AT_MOST = 5
RUNNERS = ("vitnemal ", "curl ", "openssl ")


@dataclass(frozen=True)
class Line:
    doc: str
    number: int
    command: str
    exit_code: int
    skipped: str | None  # the doc's reason

    def where(self) -> str:
        return f"{self.doc}:{self.number}: `{self.command}`"


def _block_lines(doc: str, text: str) -> Iterator[Line]:
    """The command lines of the doc's shell blocks (continuations joined), numbered as in the file."""
    language: str | None = None
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):  # also a block indented in a list
            language = (line.lstrip()[3:].strip() if language is None else None)
            continue
        if language not in ("", "sh", "bash", "console"):
            continue
        if not pending:
            start = number
        pending += line.removesuffix("\\") + " " if line.endswith("\\") else line
        if line.endswith("\\"):
            continue
        full, pending = pending.strip().removeprefix("$ "), ""
        command, _, comment = full.partition(" #")
        command = command.strip()
        if not re.sub(r"^([A-Z_]+=\S*\s+)*", "", command).startswith(RUNNERS):
            continue  # what a command printed, shown under it, or another tool's line
        code = re.search(r"exit code (\d)", comment)
        marked = MARKER.search(comment)
        yield Line(doc, start, command, int(code.group(1)) if code else 0, marked.group(1) if marked else None)


def _table_lines(doc: str, text: str) -> Iterator[Line]:
    """docs/exchange.md's table of the seed's test procedure: its commands, in the order of its steps."""
    before, heading, after = text.partition("## The seed's test procedure")
    started = False
    for number, row in enumerate(after.splitlines(), before.count("\n") + 1):
        if started and not row.startswith("|"):
            return
        started = started or row.startswith("| seed step")
        for command in re.findall(r"`(vitnemal [^`]+)`", row) if started and heading else []:
            yield Line(doc, number, command, 0, None)


def documented() -> list[Line]:
    docs = [ROOT / "docs" / name for name in ORDER]
    docs += [*sorted(set((ROOT / "docs").glob("*.md")) - set(docs)), ROOT / "README.md"]
    found: list[Line] = []
    for path in docs:
        name = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        found += [*_table_lines(name, text), *_block_lines(name, text)]
    return found


@dataclass
class Demo:
    home: Path
    workdir: Path
    url: str
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    from vitnemal.devtools.postgres import free_port
    from vitnemal.devtools.server import wait_until_healthy

    workdir = tmp_path_factory.mktemp("docs-demo")
    (workdir / "examples").symlink_to(ROOT / "examples")
    home, port = workdir / "var" / "federation", free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VITNEMAL_")}
    process = subprocess.Popen([sys.executable, "-m", "vitnemal", "demo", "--port", str(port), "--people", "60"],
                               cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process)
        yield Demo(home, workdir, f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for_the_seeds_order(env: dict[str, str]) -> None:
    """Step 9 reads what the demo's worker imported for the order of step 5: wait (a minute at most) until 216,
    which holds the course, has answered; the assertion after the run says what it was."""
    for _ in range(240):
        waited = CliRunner().invoke(app, ["exchange", "status", "--for", "185", "--person", "01536112185", "--json"],
                                    env=env)
        orders = json.loads(waited.stdout) if waited.exit_code == 0 else []
        outcomes = orders[0]["outcomes"] if orders else []
        if any(o["institution"] == "216" and o["state"] == "final" for o in outcomes):
            return
        time.sleep(0.25)


def _run(line: Line, demo: Demo) -> tuple[int, str]:
    words = shlex.split(line.command)
    env = {"VITNEMAL_HOME": str(demo.home), "COLUMNS": "120"}
    while re.fullmatch(r"[A-Z_]+=\S*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    out = None
    if ">" in words:  # `… > file`: what the command prints goes to the file
        words, out = words[:words.index(">")], words[words.index(">") + 1]
    if words[0] in ("curl", "openssl"):
        words = [w.replace("127.0.0.1:8000", demo.url.removeprefix("http://")) for w in words]
        done = subprocess.run(words, capture_output=True, text=True, timeout=60, env={**os.environ, **env})
        code, printed, stdout = done.returncode, done.stdout + done.stderr, done.stdout
    else:
        if words[1:3] == ["exchange", "records"]:
            _wait_for_the_seeds_order(env)
        result = CliRunner().invoke(app, words[1:], env=env)
        code, printed, stdout = result.exit_code, result.output, result.stdout
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            printed += f"\n{result.exception!r}"
    if out is not None:
        Path(out).write_text(stdout, encoding="utf-8")
    return code, printed


def _wrong(line: Line, code: int, printed: str) -> str | None:
    if code != line.exit_code:
        return f"exited {code}, the doc says {line.exit_code}"
    if "Traceback" in printed or not (printed.strip() or line.command.startswith(("curl ", "openssl "))):  # quiet
        return "printed a traceback" if printed.strip() else "printed nothing"
    if line.command.startswith("vitnemal verify") and code == 0 and not re.search(r'GENUINE|"genuine": true', printed):
        return "did not say GENUINE"
    return None


@pytest.mark.slow
def test_every_documented_command_runs_as_written_against_a_served_demo(demo: Demo,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    lines = documented()
    marked = [line for line in lines if line.skipped]
    assert len(marked) <= MARKED_AT_MOST, [m.where() for m in marked]  # a short list, each with its reason
    assert {line.doc for line in lines} >= {f"docs/{d}" for d in ORDER}, "a doc of ORDER lost its commands"
    monkeypatch.chdir(demo.workdir)
    failures, ran = [], {}
    for line in lines:
        if line.skipped:
            continue
        code, printed = _run(line, demo)
        ran[line] = printed
        wrong = _wrong(line, code, printed)
        if wrong:
            failures.append(f"{line.where()} {wrong}:\n{printed.strip()}")
    assert not failures, "\n\n".join(failures)
    _check_recognition(lines, ran)
    _check_the_seeds_procedure(lines, ran)


def _check_recognition(lines: list[Line], ran: dict[Line, str]) -> None:
    said = [(line.command.split(" -i")[0].removeprefix("vitnemal recognition "), ran[line])
            for line in lines if line.doc == "docs/recognition.md" and line in ran]
    # what the doc's comments say each step shows
    assert [step for step, _ in said][:3] == ["qualifications", "open", "open"]
    assert "MA-INF" in said[0][1] and "BA-INF" in said[0][1], said[0]
    assert "MA-PSY" in said[1][1] and "MA-INF" in said[1][1], said[1]  # refused, with what they can take instead
    assert "Høgskulen på Vestlandet (tidligere Høgskulen i Sogn og Fjordane): 3 resultater er hentet inn." in said[3][1]
    assert next(out for step, out in said if step == "list").count("2 vedtak (1 trukket)") == 1, said
    shown = next(out for step, out in said if step == "show 1")
    assert "Resultatbestilling" in shown and "; alle institusjonene har svart" in shown, shown  # no "(done)"
    case = json.loads(said[-1][1])
    assert case["status"] == "FERDIG" and case["national_id"] == "12039830009" and case["case_id"] == 1
    kept = [(i["code"], i["credits_counted"], i["term"], i["withdrawn_at"] is None) for i in case["items"]]
    assert kept == [("REI101", None, "2022 HØST", True), ("REI301", "5", "2022 HØST", True),
                    (None, None, "2023 VÅR", False)], kept


def _check_the_seeds_procedure(lines: list[Line], ran: dict[Line, str]) -> None:
    table = list(_table_lines("docs/exchange.md", (ROOT / "docs" / "exchange.md").read_text(encoding="utf-8")))
    assert [line.command.split()[1:3] for line in table[:4]] == [["records", "settings"], ["records", "show"],
                                                                  ["records", "consent"], ["exchange", "order"]]
    ordered = ran[table[3]]
    printed = re.search(r"`(Bestilt [^`]+)`", (ROOT / "docs" / "exchange.md").read_text(encoding="utf-8"))
    assert printed is not None  # step 7 shows what step 5 prints, with another date and time
    digits = re.compile(r"\d")
    assert digits.sub("0", printed.group(1)) == digits.sub("0", ordered.strip()), (printed.group(1), ordered)
    shown = next(ran[line] for line in table if line.command.startswith("vitnemal exchange records"))
    assert "RES-100" in shown, shown
    down = next(ran[line] for line in lines if line.doc == "docs/exchange.md" and "--wait" in line.command)
    said = " ".join(down.split())  # as the doc quotes it (the table wraps it)
    assert "(tidligere Høgskulen i Sogn og Fjordane) svarte ikke nå; spørres automatisk på nytt" in said, down
