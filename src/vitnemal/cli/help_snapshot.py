"""``vitnemal --help`` as Typer prints it on a terminal 80 columns wide or wider, for the start-up fast path of
:func:`vitnemal.cli.main`. Written by ``python -m vitnemal.cli.help_snapshot`` (run it after changing a top-level
command or a group's help); tests/functional/cli/test_fast_start.py fails while it differs from what Typer prints.
The usage line names the program as it was called; here it is :data:`PROGRAM`.
"""

PROGRAM = "vitnemal"
TEXT = (
    'Usage: vitnemal [OPTIONS] COMMAND [ARGS]...\n'
    '\n'
    '  Norwegian educational results: exchange between institutions, diplomas,\n'
    '  verification.\n'
    '\n'
    'Options:\n'
    '  --install-completion  Install completion for the current shell.\n'
    '  --show-completion     Show completion for the current shell, to copy it or\n'
    '                        customize the installation.\n'
    '  --help                Show this message and exit.\n'
    '\n'
    'Commands:\n'
    '  admissions   Admission rounds: fetch the results of every consenting...\n'
    '  bench        Benchmarks; each prints one JSON object of figures.\n'
    "  db           The institutions' databases: schema upgrades.\n"
    '  demo         The demo.\n'
    '  diplomas     Higher-education diplomas: issue, reissue, sample, list.\n'
    '  elmo         ELMO files (EMREX): read one from elsewhere and show what...\n'
    '  emrex        EMREX: the registry of clients (recruitment platforms,...\n'
    "  exchange     Fetch a consenting student's results from every institution.\n"
    '  federation   The federation: institutions, their nodes and keys, the...\n'
    '  id           National identity numbers (fødselsnummer, D-, H- and test...\n'
    '  portal       Vitnemålsportalen: scheduled work (purge, retries).\n'
    '  programmes   Study programmes as diplomas describe them: list, show, add.\n'
    '  recognition  Recognition cases: open, fetch external results,...\n'
    "  records      An institution's own records: people, results, degrees,...\n"
    '  school       Lower-secondary school leaving certificates and admission...\n'
    "  serve        Run the exchange nodes and the case workers' API for the...\n"
    '  settings     Show every setting: its variable, the value in force...\n'
    "  staff        Roles of staff on the institution's pages: grant, revoke,...\n"
    "  tokens       Case workers' API tokens: issue (with an expiry), list,...\n"
    '  verify       Check a signed document: exit 0 genuine, 1 not genuine...\n'
    '  worker       Run the background worker: it runs queued orders, takes...\n'
)

if __name__ == "__main__":
    import subprocess
    import sys
    from pathlib import Path

    typer_help = f"import sys; sys.argv[0] = {PROGRAM!r}; from vitnemal.cli.root import run; run()"
    printed = subprocess.run([sys.executable, "-c", typer_help, "--help"], capture_output=True, text=True,
                             check=True, env={"COLUMNS": "80", "PATH": ""}).stdout
    lines = "".join(f"    {line!r}\n" for line in printed.splitlines(keepends=True))
    source = Path(__file__).read_text(encoding="utf-8")
    start = source.index("\nTEXT = ") + 1
    end = source.index("\n\nif __name__")
    Path(__file__).write_text(f"{source[:start]}TEXT = (\n{lines}){source[end:]}", encoding="utf-8")
