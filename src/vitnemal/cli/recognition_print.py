"""What ``vitnemal recognition show`` and ``list`` print for a person to read, in the command's ``--lang`` (nb by
default): the case, its decisions, its order and the external results. The codes stay in ``--json``; the case's
status (BEHANDLES, FERDIG, AVSLÅTT) is FS's word and stays as FS writes it."""

from __future__ import annotations

from vitnemal.cli.common import said
from vitnemal.i18n import P_
from vitnemal.recognition.views import CaseView, ImportedResult

# What the order's status says to the case worker.
_ORDER_STATE = {"queued": P_("cli", "waiting to be run"), "running": P_("cli", "the institutions are being asked now"),
                "waiting": P_("cli", "waiting for a retry of an institution that did not answer"),
                "done": P_("cli", "every institution has answered")}


def print_case(view: CaseView, external: list[ImportedResult] | None, lang: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    from vitnemal.cli.common import fitted
    from vitnemal.cli.common import table as cli_table
    from vitnemal.exchange.messages import order_label
    from vitnemal.i18n import as_language, show_iso

    console = Console()
    head = said(P_("cli", "Recognition case %(case)s"), lang, case=view["case_id"])
    code = view["qualification_code"]
    toward = said(P_("cli", "toward %(code)s"), lang, code=code) if code else ""
    console.print(f"[bold]{head}[/]  {escape(view['name'])} ({view['national_id']})  status: "
                  f"[bold]{view['status']}[/]" + (f"  {toward}" if toward else ""))
    console.print(escape(said(P_("cli", "Opened %(at)s by %(by)s"), lang, at=show_iso(view["opened_at"]),
                              by=view["opened_by"])))
    order = view["order"]
    if order:
        from datetime import datetime

        label = order_label(datetime.fromisoformat(order["ordered_at"]), as_language(lang))
        state = said(_ORDER_STATE[order["status"]], lang) if order["status"] in _ORDER_STATE else order["status"]
        console.print(escape(said(P_("cli", "Results order %(order)s: %(label)s; %(state)s"), lang,
                                  order=order["order_id"], label=label, state=state)))
    if view["items"]:
        names = [said(n, lang) for n in (P_("cli", "No."), P_("cli", "Toward"), P_("cli", "Code"),
                                          P_("cli", "Name"), P_("cli", "Institution"), P_("cli", "Term"),
                                          P_("cli", "Cr."), P_("cli", "Decided"))]
        table = cli_table(*names, whole=(names[0], names[1], names[2], names[5], names[6], names[7]))
        for i in view["items"]:
            credits = i["credits"] if not i["credits_counted"] else said(
                P_("cli", "%(counted)s of %(credits)s"), lang, counted=i["credits_counted"], credits=i["credits"])
            decided = f"{i['recognised_by']}\n{show_iso(i['recognised_at'], date_only=True)}"
            if i["withdrawn_at"]:
                decided += "\n" + said(P_("cli", "withdrawn by"), lang) + f"\n{i['withdrawn_by']}"
            table.add_row(str(i["id"]), i["toward"], i["code"] or said(P_("cli", "(block)"), lang), i["name_nb"],
                          i["institution_name"], i["term"] or "", credits, decided)
        console.print(fitted(table, console.width))
    if view["decided_at"]:
        console.print(escape(said(P_("cli", "Decision %(status)s %(at)s by %(by)s"), lang, status=view["status"],
                                   at=show_iso(view["decided_at"]), by=view["decided_by"])
                             + (f": {view['decision_note']}" if view["decision_note"] else "")))
    if external:
        names = [said(n, lang) for n in (P_("cli", "Id"), P_("cli", "Inst."), P_("cli", "Code"), P_("cli", "Name"),
                                          P_("cli", "Term"), P_("cli", "Cr."), P_("cli", "Result"))]
        table = cli_table(*names, title=said(P_("cli", "External results"), lang),
                          whole=(names[0], names[1], names[2], names[4], names[5]))
        removed = " " + said(P_("cli", "(removed at the source)"), lang)
        for r in external:
            table.add_row(str(r["id"]), r["institution"], r["code"], r["name_nb"], r["term"], r["credits"],
                          r["grade"] + (removed if r["removed_at_source"] else ""))
        console.print(fitted(table, console.width))


def case_line(view: CaseView, lang: str) -> str:
    """One case of ``list``: its decisions counted without the withdrawn ones, which are counted apart."""
    active = sum(1 for i in view["items"] if not i["withdrawn_at"])
    withdrawn = len(view["items"]) - active
    decisions = said(P_("cli", "%(n)s decisions"), lang, n=active) + (
        " " + said(P_("cli", "(%(n)s withdrawn)"), lang, n=withdrawn) if withdrawn else "")
    return (f"{view['case_id']:>5}  {view['status']:<9} {view['national_id']}  {view['name']}  "
            f"{view['qualification_code'] or ''}  {decisions}")
