"""``vitnemal elmo import FILE``: read an ELMO file from elsewhere (an EMREX data provider abroad, or this portal),
check its signature against the certificates you trust and the official schema, and print what it holds in nb, nn
or en (or as JSON). With ``--person`` and ``--institution`` it is also imported into that person's external-study
records at the institution (Person eksternstudium), in one transaction; without them nothing is written. A file
that does not hold is refused whole, saying why and what to do."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

from vitnemal.cli.common import BY, HOME, JSON, LANG, Language, actor, fail, institution_session

app = typer.Typer(help="ELMO files (EMREX): read one from elsewhere and show what it holds.", no_args_is_help=True)

_T: dict[str, dict[str, str]] = {
    "made": {"nb": "ELMO-fil laget {when}", "nn": "ELMO-fil laga {when}", "en": "ELMO file made {when}"},
    "signed": {"nb": "Signert av {subject}: signaturen holder.", "nn": "Signert av {subject}: signaturen held.",
               "en": "Signed by {subject}: the signature holds."},
    "unsigned": {"nb": "Ikke signert: lest fordi du sa --unsigned.", "nn": "Ikkje signert: lesen fordi du sa "
                 "--unsigned.", "en": "Not signed: read because you said --unsigned."},
    "person": {"nb": "Person: {name}", "nn": "Person: {name}", "en": "Person: {name}"},
    "born": {"nb": ", født {day}", "nn": ", fødd {day}", "en": ", born {day}"},
    "issued": {"nb": "utstedt {day}", "nn": "utferda {day}", "en": "issued {day}"},
    "awarded": {"nb": "tildelt {day}", "nn": "tildelt {day}", "en": "awarded {day}"},
    "credits": {"nb": "{value} studiepoeng", "nn": "{value} studiepoeng", "en": "{value} ECTS credits"},
    "grade": {"nb": "karakter {grade}", "nn": "karakter {grade}", "en": "grade {grade}"},
    "scale": {"nb": "skala {scale}", "nn": "skala {scale}", "en": "scale {scale}"},
    "total": {"nb": "I alt: {q} kvalifikasjoner, {c} emner og andre deler, {ects} studiepoeng i emnene.",
              "nn": "I alt: {q} kvalifikasjonar, {c} emne og andre delar, {ects} studiepoeng i emna.",
              "en": "In all: {q} qualifications, {c} courses and other parts, {ects} ECTS credits in the courses."},
    "attachments": {"nb": "Vedlegg: {list}", "nn": "Vedlegg: {list}", "en": "Attachments: {list}"},
    "trust": {"nb": "{path} har ingen sertifikater (PEM)", "nn": "{path} har ingen sertifikat (PEM)",
              "en": "{path} holds no certificates (PEM)"},
    "unread": {"nb": "{path} kan ikke leses: {detail}", "nn": "{path} kan ikkje lesast: {detail}",
               "en": "{path} cannot be read: {detail}"},
    "both": {"nb": "Oppgi både --person og --institution for å importere filen.",
             "nn": "Oppgi både --person og --institution for å importere fila.",
             "en": "Give both --person and --institution to import the file."},
    "nobody": {"nb": "Ingen med fødselsnummer {id} er registrert ved {code}.",
               "nn": "Ingen med fødselsnummer {id} er registrert ved {code}.",
               "en": "Nobody with the national id {id} is registered at {code}."},
    "imported": {"nb": "Importert i eksternstudiet til {name}: {source}, {r} og {q}{extra}.",
                 "nn": "Importert i eksternstudiet til {name}: {source}, {r} og {q}{extra}.",
                 "en": "Imported into the external studies of {name}: {source}, {r} and {q}{extra}."},
    "again": {"nb": " (oppdatert: {n})", "nn": " (oppdatert: {n})", "en": " (updated: {n})"},
    "skipped": {"nb": "; {n} ikke bestått eller ikke fullført er ikke importert",
                "nn": "; {n} ikkje bestått eller ikkje fullført er ikkje importert",
                "en": "; {n} failed or not completed not imported"},
}
# (one, more) of each count the import says
_COUNTED = {
    "results": {"nb": ("{n} resultat", "{n} resultater"), "nn": ("{n} resultat", "{n} resultat"),
                "en": ("{n} result", "{n} results")},
    "qualifications": {"nb": ("{n} kvalifikasjon", "{n} kvalifikasjoner"),
                       "nn": ("{n} kvalifikasjon", "{n} kvalifikasjonar"),
                       "en": ("{n} qualification", "{n} qualifications")},
    "changes": {"nb": ("{n} endring", "{n} endringer"), "nn": ("{n} endring", "{n} endringar"),
                "en": ("{n} change", "{n} changes")},
}
_KINDS = {
    "Degree Programme": {"nb": "grad", "nn": "grad", "en": "degree programme"},
    "Course": {"nb": "emne", "nn": "emne", "en": "course"},
    "Module": {"nb": "modul", "nn": "modul", "en": "module"},
    "Class": {"nb": "undervisning", "nn": "undervisning", "en": "class"},
}


def _t(key: str, lang: str, **params: object) -> str:
    return _T[key][lang].format(**params)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _lines(elmo: Any, lang: str) -> list[str]:
    from vitnemal.diplomas.texts import credits_text
    from vitnemal.i18n import local, long_date
    from vitnemal.interop.elmo_import import in_language

    lng: Any = lang  # nb, nn or en: the Language the diplomas' helpers take
    when = local(elmo.generated_at)
    out = [_t("made", lang, when=f"{long_date(when.date(), lng)} {when:%H:%M}"),
           _t("signed", lang, subject=elmo.signer) if elmo.signed else _t("unsigned", lang)]
    person = _t("person", lang, name=f"{elmo.learner.given_names} {elmo.learner.family_name}".strip())
    if elmo.learner.birth_date:
        person += _t("born", lang, day=long_date(elmo.learner.birth_date, lng))
    out.append(person)

    def item_line(item: Any, depth: int) -> None:
        parts = [p for p in (item.code, in_language(item.titles, lang)) if p]
        facts = [_KINDS.get(item.kind, {}).get(lang, item.kind)] if item.kind else []
        if item.term:
            facts.append(in_language(item.term, lang))
        if item.date and item.kind == "Degree Programme":
            facts.append(_t("awarded", lang, day=long_date(item.date, lng)))
        for credit in item.credits:
            value = credits_text(credit.value, lng)
            facts.append(_t("credits", lang, value=value) if credit.scheme.lower() == "ects"
                         else f"{value} {credit.scheme}")
        if item.grade:
            grade = _t("grade", lang, grade=item.grade)
            scale = in_language(item.scheme_texts, lang) or item.scheme
            facts.append(f"{grade} ({_t('scale', lang, scale=scale)})" if scale else grade)
        out.append("  " * depth + " ".join(parts) + (" — " + ", ".join(facts) if facts else ""))
        for part in item.parts:
            item_line(part, depth + 1)

    for report in elmo.reports:
        ids = ", ".join(f"{kind} {value}" for kind, value in report.issuer_identifiers)
        head = in_language(report.issuer_titles, lang) + (f" ({report.country}; {ids})" if ids else "")
        if report.issue_date:
            head += ", " + _t("issued", lang, day=long_date(local(report.issue_date).date(), lng))
        out.append(head)
        for item in report.items:
            item_line(item, 1)
    qualifications, others = elmo.counts()
    ects = sum((i.ects or Decimal(0) for r in elmo.reports for i in r.items_all() if i.kind != "Degree Programme"),
               Decimal(0))
    out.append(_t("total", lang, q=qualifications, c=others, ects=credits_text(ects, lng)))
    if elmo.attachments:
        out.append(_t("attachments", lang, list="; ".join(f"{kind}: {title}" if title else kind
                                                          for kind, title in elmo.attachments)))
    return out


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="The ELMO file: XML, or gzip+base64 as EMREX sends it."),
    trust: list[Path] = typer.Option([], "--trust", help="A PEM file with the data providers' certificates you "
                                     "trust (from the EMREX registry); may be given more than once.",
                                     show_default="none"),
    unsigned: bool = typer.Option(False, "--unsigned", help="Read a file without a signature (you know otherwise "
                                  "that it is genuine); a signed file is always checked."),
    person: str | None = typer.Option(None, "--person", help="Import into the external-study records of the person "
                                      "with this national id (needs --institution).", show_default="only show"),
    institution: str | None = typer.Option(None, "--institution", "-i", help="Your institution's code, e.g. 185."),
    by: str | None = BY,
    home: Path | None = HOME,
    as_json: bool = JSON,
    lang: Language = LANG,
) -> None:
    """Check an ELMO file (signature, official schema) and show the learner and the results it holds; with
    --person and --institution, import it into that person's external studies."""
    from cryptography import x509

    from vitnemal.interop.elmo_import import ElmoRefused, read_elmo
    from vitnemal.interop.elmo_sign import MAX_ELMO_BYTES

    certificates: list[x509.Certificate] = []
    for path in trust:
        try:
            found = x509.load_pem_x509_certificates(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise fail(_t("unread", lang, path=path, detail=exc), lang=lang) from None
        if not found:
            raise fail(_t("trust", lang, path=path), lang=lang)
        certificates += found
    try:
        with file.open("rb") as stream:
            data = stream.read(2 * MAX_ELMO_BYTES + 1)
    except OSError as exc:
        raise fail(_t("unread", lang, path=file, detail=exc.strerror or exc), lang=lang) from None
    try:
        elmo = read_elmo(data, certificates, allow_unsigned=unsigned)
    except ElmoRefused as exc:
        raise fail(exc.text(lang), lang=lang) from None
    if (person is None) != (institution is None):
        raise fail(_t("both", lang), lang=lang)
    said = [] if as_json else _lines(elmo, lang)
    out: dict[str, Any] = dataclasses.asdict(elmo)
    if person is not None and institution is not None:
        done, name = _import(elmo, data, person, institution, actor(by), home, lang)
        out["imported"] = dataclasses.asdict(done)
        said += [_imported_line(source, name, lang) for source in done.sources]
    typer.echo(json.dumps(out, ensure_ascii=False, default=_json_value) if as_json else "\n".join(said))


def _import(elmo: Any, data: bytes, national_id: str, code: str, by: str, home: Path | None,
            lang: str) -> tuple[Any, str]:
    """What the file added to the person's records (one transaction: all of it or, refused, nothing), and their
    name."""
    from datetime import UTC
    from datetime import datetime as clock

    from vitnemal.interop.elmo_import import ElmoRefused
    from vitnemal.interop.elmo_store import import_elmo
    from vitnemal.records.service import find_person_by_any_id

    with institution_session(code, write=True, home=home, lang=lang) as session:
        found = find_person_by_any_id(session, [national_id])
        if found is None:
            raise fail(_t("nobody", lang, id=national_id, code=code), lang=lang)
        try:
            return import_elmo(session, found, elmo, data, actor=by, now=clock.now(UTC)), found.name
        except ElmoRefused as exc:
            raise fail(exc.text(lang), lang=lang) from None


def _counted(what: str, n: int, lang: str) -> str:
    one, more = _COUNTED[what][lang]
    return (one if n == 1 else more).format(n=n)


def _imported_line(source: Any, name: str, lang: str) -> str:
    extra = _t("again", lang, n=_counted("changes", len(source.changes), lang)) if not source.first_import else ""
    if source.not_passed:
        extra += _t("skipped", lang, n=source.not_passed)
    return _t("imported", lang, name=name, source=source.source_name, r=_counted("results", source.results, lang),
              q=_counted("qualifications", source.qualifications, lang), extra=extra)
