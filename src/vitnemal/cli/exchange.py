"""``vitnemal exchange``: results orders (resultatbestilling) through the case workers' API.

The commands talk HTTP to a running server (``vitnemal demo`` or ``vitnemal serve``), as a case worker's client
would. The token comes from ``--token``, ``VITNEMAL_TOKEN``, or the demo's credentials file.
"""

from __future__ import annotations

import json
import time
from typing import Any

import typer

app = typer.Typer(help="Fetch a consenting student's results from every institution.", no_args_is_help=True)

FOR = typer.Option(..., "--for", help="Your institution's code (the one that fetches), e.g. 185.")
API = typer.Option(None, "--api", envvar="VITNEMAL_PUBLIC_URL", help="Server URL.",
                   show_default="where vitnemal serve/demo last served this home, else http://127.0.0.1:8000")
TOKEN = typer.Option(None, "--token", envvar="VITNEMAL_TOKEN", help="Case worker's API token.",
                     show_default="the demo's token of the --for institution")
JSON = typer.Option(False, "--json", help="Print JSON.")


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def _client(code: str, api: str | None, token: str | None) -> Any:
    import httpx

    from vitnemal.config import Settings

    settings = Settings.from_env()
    token = token or settings.token
    if not token:
        creds = settings.home / "demo-credentials.json"
        if creds.exists():
            token = json.loads(creds.read_text()).get(code)
    if not token:
        raise _fail(f"No API token for institution {code}: pass --token or set VITNEMAL_TOKEN.")
    base = (api or settings.public_url).rstrip("/")
    return httpx.Client(base_url=f"{base}/api/institutions/{code}", timeout=30,
                        headers={"authorization": f"Bearer {token}"})


def _call(client: Any, method: str, path: str, **kwargs: Any) -> Any:
    import httpx

    try:
        response = client.request(method, path, **kwargs)
    except httpx.TransportError:
        raise _fail(f"No server answers at {client.base_url}. Start one with `vitnemal demo` or "
                    "`vitnemal serve`, or pass --api.") from None
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise _fail(f"Refused ({response.status_code}): {detail}")
    return response.json()


def _print_order(order: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]Resultatbestilling {order['order_id']}[/]  {order['label']}  status: [bold]{order['status']}")
    # The many institutions with nothing for this person are counted, not listed, so the answers that matter show.
    quiet = [o for o in order["outcomes"] if o["outcome"] == "no_results"]
    table = Table("Institusjon", "Utfall", "Resultater", "Grader", "Merknad")
    for o in order["outcomes"]:
        if o not in quiet:
            # The label already says it all for these; other messages carry what to do next.
            note = "" if o["outcome"] in ("not_sharing", "reserved") else o["message"]
            table.add_row(o["institution"], o["label"], str(o["results"]), str(o["qualifications"]), note)
    console.print(table)
    if quiet:
        console.print(f"Ingen resultater: {len(quiet)} institusjoner ({', '.join(o['institution'] for o in quiet)})")
    if order["changes"]:
        console.print("[bold]Endrede resultater siden forrige henting:[/]")
        for c in order["changes"]:
            console.print(f"  {c['institution']}: {c['kind']} — {c['detail']}")


@app.command("order")
def order(
    national_id: list[str] = typer.Argument(..., help="The student's national id (spaces allowed)."),
    code: str = FOR,
    wait: bool = typer.Option(False, "--wait", help="Wait until every institution has answered."),
    timeout: float = typer.Option(120.0, help="Seconds to wait with --wait."),
    as_json: bool = JSON,
    api: str | None = API,
    token: str | None = TOKEN,
) -> None:
    """Order the student's passed results from every institution ("Hent ekstern norsk utdanning")."""
    with _client(code, api, token) as client:
        result = _call(client, "POST", "/orders", json={"national_id": "".join(national_id)})
        if not as_json:
            typer.echo(f"{result['label']} (order {result['order_id']})")
        deadline = time.monotonic() + timeout
        while wait and result["status"] in ("queued", "running"):
            if time.monotonic() > deadline:
                raise _fail(f"Order {result['order_id']} is still {result['status']} after {timeout:g} s.")
            time.sleep(0.05)
            result = _call(client, "GET", f"/orders/{result['order_id']}")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    elif wait:
        _print_order(result)


@app.command("status")
def status(
    order_id: int | None = typer.Argument(None, help="One order; without it, the newest orders."),
    code: str = FOR,
    national_id: str | None = typer.Option(None, "--person", help="Only this person's orders."),
    as_json: bool = JSON,
    api: str | None = API,
    token: str | None = TOKEN,
) -> None:
    """Show orders (Resultatbestilling) with every institution's outcome."""
    with _client(code, api, token) as client:
        if order_id is not None:
            orders = [_call(client, "GET", f"/orders/{order_id}")]
        else:
            params = {"national_id": national_id} if national_id else {}
            orders = _call(client, "GET", "/orders", params=params)
    if as_json:
        typer.echo(json.dumps(orders[0] if order_id is not None else orders, ensure_ascii=False))
        return
    for o in orders:
        _print_order(o)


@app.command("records")
def records(
    national_id: list[str] = typer.Argument(..., help="The student's national id."),
    code: str = FOR,
    as_json: bool = JSON,
    api: str | None = API,
    token: str | None = TOKEN,
) -> None:
    """Show the imported external results (Person eksternstudium), one entry per source institution."""
    with _client(code, api, token) as client:
        data = _call(client, "GET", f"/people/{''.join(national_id)}/external-records")
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not data:
        console.print("Ingen eksterne resultater er hentet for denne personen.")
    for rec in data:
        table = Table("Kategori", "Kode", "Navn", "Tittel", "Termin", "Omfang", "Resultat",
                      title=f"{rec['institution']} {rec['institution_name']}")
        for q in rec["qualifications"]:
            table.add_row(q["category"], q["code"], q["name_nb"], "", q["award_date"], q["credits"], "")
        for r in rec["results"]:
            table.add_row(r["category"], r["code"], r["name_nb"], r["thesis_title"] or "", r["term"], r["credits"],
                          r["grade"] + (" (fjernet ved kilden)" if r["removed_at_source"] else ""))
        console.print(table)
