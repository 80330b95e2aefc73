"""``vitnemal exchange``: results orders (resultatbestilling) through the case workers' API.

The commands talk HTTP to a running server (``vitnemal demo`` or ``vitnemal serve``), as a case worker's client
would. The token comes from ``--token``, ``VITNEMAL_TOKEN``, or the demo's credentials file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

from vitnemal.cli.common import API, HOME, LANG, TALKS_HTTP, Language, fail, said, settings_for
from vitnemal.exchange.states import OrderStatus
from vitnemal.i18n import P_

app = typer.Typer(help="Fetch a consenting student's results from every institution. " + TALKS_HTTP,
                  no_args_is_help=True)

# Exit codes (docs/exchange.md): 0 done, 1 refused or failed, 3 the order waits for a retry of a node that was down.
EXIT_WAITING = 3


FOR = typer.Option(..., "--for", help="Your institution's code (the one that fetches), e.g. 185.")
TOKEN = typer.Option(None, "--token", envvar="VITNEMAL_TOKEN", help="Case worker's API token.",
                     show_default="the demo's token of the --for institution")
JSON = typer.Option(False, "--json", help="Print JSON (with the internal codes and technical detail).")

_TEXTS: dict[str, str] = {  # the English msgids (context "cli"), said in --lang through the catalogue
    "unknown": P_("cli", "Unknown institution %(code)s: it is not in the federation registry (%(path)s)."),
    "no_token": P_("cli", "No API token for institution %(code)s: pass --token or set VITNEMAL_TOKEN."),
    "no_server": P_("cli", "No server answers at %(url)s. Start one with `vitnemal demo` or `vitnemal serve`, or "
                           "pass --api."),
    "refused": P_("cli", "Refused (%(status)s): %(detail)s"),
    "still": P_("cli", "Order %(order)s has still not finished after %(timeout)s s."),
    "placed": P_("cli", "%(label)s (order %(order)s)"),
    "heading": P_("cli", "Results order %(order)s"),
    "quiet": P_("cli", "No results for this person at %(names)s."),
    "changes": P_("cli", "Changes since the last fetch:"),
    "none": P_("cli", "No orders."),
    "no_records": P_("cli", "No external results have been fetched for this person."),
}


def _t(key: str, lang: str, **values: Any) -> str:
    return said(_TEXTS[key], lang, **values)


def _client(code: str, api: str | None, token: str | None, lang: str, home: Path | None) -> Any:
    import httpx

    from vitnemal.institutions.registry import Registry

    settings = settings_for(home)
    if settings.registry_path.exists() and code not in Registry.load(settings.registry_path).institutions:
        raise fail(_t("unknown", lang, code=code, path=settings.registry_path), lang=lang)
    token = token or settings.token
    if not token:
        creds = settings.home / "demo-credentials.json"
        if creds.exists():
            token = json.loads(creds.read_text()).get(code)
    if not token:
        raise fail(_t("no_token", lang, code=code), lang=lang)
    base = (api or settings.public_url).rstrip("/")
    return httpx.Client(base_url=f"{base}/api/institutions/{code}", timeout=30, params={"lang": lang},
                        headers={"authorization": f"Bearer {token}"})


def _call(client: Any, method: str, path: str, lang: str = "nb", **kwargs: Any) -> Any:
    import httpx

    try:
        response = client.request(method, path, **kwargs)
    except httpx.TransportError:
        raise fail(_t("no_server", lang, url=client.base_url), lang=lang) from None
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise fail(_t("refused", lang, status=response.status_code, detail=detail), lang=lang)
    return response.json()


def _print_order(order: dict[str, Any], lang: str) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{escape(_t('heading', lang, order=order['order_id']))}[/]  {escape(order['status_text'])}")
    # The many institutions with nothing for this person are counted, not listed, so the answers that matter show.
    quiet = [o for o in order["outcomes"] if o["outcome"] == "no_results"]
    table = Table("", "", show_header=False, box=None)
    for o in order["outcomes"]:
        if o not in quiet:
            table.add_row(escape(o["institution"]), escape(o["text"]))
    console.print(table)
    if quiet:
        console.print(escape(_t("quiet", lang, names=", ".join(o["institution_name"] for o in quiet))))
    if order["changes"]:
        console.print(f"[bold]{_t('changes', lang)}[/]")
        for c in order["changes"]:
            console.print(f"  {escape(c['text'])}")


@app.command("order")
def order(
    national_id: list[str] = typer.Argument(..., help="The student's national id (spaces allowed)."),
    code: str = FOR,
    wait: bool = typer.Option(False, "--wait", help="Wait until every institution has answered; exit code 3 when "
                              "the order then waits for a retry of an institution that did not answer."),
    timeout: float = typer.Option(120.0, help="Seconds to wait with --wait."),
    as_json: bool = JSON,
    lang: Language = LANG,
    api: str | None = API,
    token: str | None = TOKEN,
    home: Path | None = HOME,
) -> None:
    """Order the student's passed results from every institution ("Hent ekstern norsk utdanning")."""
    with _client(code, api, token, lang, home) as client:
        result = _call(client, "POST", "/orders", lang, json={"national_id": "".join(national_id)})
        if not as_json:
            typer.echo(_t("placed", lang, label=result["label"], order=result["order_id"]))
        deadline = time.monotonic() + timeout
        while wait and result["status"] in (OrderStatus.QUEUED, OrderStatus.RUNNING):
            if time.monotonic() > deadline:
                raise fail(_t("still", lang, order=result["order_id"], timeout=f"{timeout:g}"), lang=lang)
            time.sleep(0.1)
            result = _call(client, "GET", f"/orders/{result['order_id']}", lang)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    elif wait:
        _print_order(result, lang)
    if wait and result["status"] == OrderStatus.WAITING:
        raise typer.Exit(EXIT_WAITING)


@app.command("status")
def status(
    order_id: int | None = typer.Argument(None, help="One order; without it, the newest orders."),
    code: str = FOR,
    national_id: str | None = typer.Option(None, "--person", help="Only this person's orders."),
    as_json: bool = JSON,
    lang: Language = LANG,
    api: str | None = API,
    token: str | None = TOKEN,
    home: Path | None = HOME,
) -> None:
    """Show orders (Resultatbestilling) with every institution's outcome."""
    with _client(code, api, token, lang, home) as client:
        if order_id is not None:
            orders = [_call(client, "GET", f"/orders/{order_id}", lang)]
        else:
            params = {"national_id": national_id} if national_id else {}
            orders = _call(client, "GET", "/orders", lang, params=params)
    if as_json:
        typer.echo(json.dumps(orders[0] if order_id is not None else orders, ensure_ascii=False))
        return
    if not orders:
        typer.echo(_t("none", lang))
    for o in orders:
        _print_order(o, lang)


@app.command("records")
def records(
    national_id: list[str] = typer.Argument(..., help="The student's national id."),
    code: str = FOR,
    as_json: bool = JSON,
    lang: Language = LANG,
    api: str | None = API,
    token: str | None = TOKEN,
    home: Path | None = HOME,
) -> None:
    """Show the imported external results (Person eksternstudium), one entry per source institution."""
    with _client(code, api, token, lang, home) as client:
        data = _call(client, "GET", f"/people/{''.join(national_id)}/external-records", lang)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not data:
        console.print(_t("no_records", lang))
    for rec in data:
        table = Table("Kategori", "Kode", "Navn", "Tittel", "Termin", "Omfang", "Resultat",
                      title=f"{rec['institution']} {rec['institution_name']}")
        for q in rec["qualifications"]:
            table.add_row(q["category"], q["code"], q["name_nb"], "", q["award_date"], q["credits"], "")
        for r in rec["results"]:
            table.add_row(r["category"], r["code"], r["name_nb"], r["thesis_title"] or "", r["term"], r["credits"],
                          r["grade"] + (" (fjernet ved kilden)" if r["removed_at_source"] else ""))
        console.print(table)
