"""What an ELMO file that is not imported is refused for, in nb, nn and en (:class:`~vitnemal.interop.elmo_import.
ElmoRefused` says one of these with its parameters): what is wrong, and what to do."""

from __future__ import annotations

REFUSALS: dict[str, dict[str, str]] = {
    "too_large": {
        "nb": "Filen er {size} byte; høyst {limit} byte godtas.",
        "nn": "Fila er {size} byte; høgst {limit} byte vert godtekne.",
        "en": "The file is {size} bytes; at most {limit} bytes are accepted."},
    "unreadable": {
        "nb": "Filen er verken ELMO-XML eller EMREX-pakket ELMO (gzip og base64): {detail}",
        "nn": "Fila er verken ELMO-XML eller EMREX-pakka ELMO (gzip og base64): {detail}",
        "en": "The file is neither ELMO XML nor ELMO packed as EMREX sends it (gzip, then base64): {detail}"},
    "not_xml": {
        "nb": "Filen kan ikke leses som ELMO: {detail}",
        "nn": "Fila kan ikkje lesast som ELMO: {detail}",
        "en": "The file cannot be read as ELMO: {detail}"},
    "not_elmo": {
        "nb": "Filen er ikke ELMO: rotelementet er {tag}, ikke elmo i navnerommet {ns}.",
        "nn": "Fila er ikkje ELMO: rotelementet er {tag}, ikkje elmo i namnerommet {ns}.",
        "en": "The file is not ELMO: its root element is {tag}, not elmo in the namespace {ns}."},
    "unsigned": {
        "nb": "Filen er ikke signert. Importer bare signert ELMO, eller bruk --unsigned hvis du vet på annen måte "
              "at filen er ekte.",
        "nn": "Fila er ikkje signert. Importer berre signert ELMO, eller bruk --unsigned om du veit på anna vis at "
              "fila er ekte.",
        "en": "The file is not signed. Import signed ELMO only, or use --unsigned if you know otherwise that the "
              "file is genuine."},
    "untrusted": {
        "nb": "Filen er signert med et sertifikat denne mottakeren ikke stoler på ({subject}). Legg til "
              "dataleverandørens sertifikat (fra EMREX-registeret) med --trust hvis du stoler på det.",
        "nn": "Fila er signert med eit sertifikat denne mottakaren ikkje stolar på ({subject}). Legg til "
              "dataleverandøren sitt sertifikat (frå EMREX-registeret) med --trust om du stolar på det.",
        "en": "The file is signed with a certificate this receiver does not trust ({subject}). Add the data "
              "provider's certificate (from the EMREX registry) with --trust if you trust it."},
    "bad_signature": {
        "nb": "Signaturen holder ikke: filen er endret etter at den ble signert, eller signaturen er ødelagt "
              "({detail}). Be om en ny fil fra dataleverandøren.",
        "nn": "Signaturen held ikkje: fila er endra etter at ho vart signert, eller signaturen er øydelagd "
              "({detail}). Be om ei ny fil frå dataleverandøren.",
        "en": "The signature does not hold: the file was changed after it was signed, or the signature is broken "
              "({detail}). Ask the data provider for a new file."},
    "invalid": {
        "nb": "Filen er ikke gyldig ELMO etter det offisielle skjemaet, linje {line}, element {element}: {reason}",
        "nn": "Fila er ikkje gyldig ELMO etter det offisielle skjemaet, linje {line}, element {element}: {reason}",
        "en": "The file is not valid ELMO against the official schema, line {line}, element {element}: {reason}"},
    "bad_date": {
        "nb": "Filen har en dato eller et tidspunkt som ikke kan leses her: {value}. Be dataleverandøren om en ny "
              "fil.",
        "nn": "Fila har ein dato eller eit tidspunkt som ikkje kan lesast her: {value}. Be dataleverandøren om ei "
              "ny fil.",
        "en": "The file holds a date or time that cannot be read here: {value}. Ask the data provider for a new "
              "file."},
    "too_long": {
        "nb": "Linje {line}, element {element}: «{value}» er lengre enn de {limit} tegnene eksternstudiet har plass "
              "til. Ingenting er importert.",
        "nn": "Linje {line}, element {element}: «{value}» er lengre enn dei {limit} teikna eksternstudiet har plass "
              "til. Ingenting er importert.",
        "en": "Line {line}, element {element}: '{value}' is longer than the {limit} characters the external-study "
              "record holds. Nothing was imported."},
    "credits": {
        "nb": "Linje {line}, element credit: {value} studiepoeng kan ikke lagres som de er (høyst én desimal, "
              "0–9999,9). Ingenting er importert.",
        "nn": "Linje {line}, element credit: {value} studiepoeng kan ikkje lagrast som dei er (høgst éin desimal, "
              "0–9999,9). Ingenting er importert.",
        "en": "Line {line}, element credit: {value} credits cannot be kept as they are (at most one decimal, "
              "0–9999.9). Nothing was imported."},
    "no_term": {
        "nb": "Linje {line}, element learningOpportunityInstance: {code} har verken semester, dato eller "
              "utstedelsesdato. Ingenting er importert.",
        "nn": "Linje {line}, element learningOpportunityInstance: {code} har verken semester, dato eller "
              "utferdingsdato. Ingenting er importert.",
        "en": "Line {line}, element learningOpportunityInstance: {code} has no term, no date and no issue date. "
              "Nothing was imported."},
    "mismatch": {
        "nb": "Filen gjelder {theirs}, ikke {ours}: fødselsdatoen eller navnet stemmer ikke. Importer den for "
              "riktig person.",
        "nn": "Fila gjeld {theirs}, ikkje {ours}: fødselsdatoen eller namnet stemmer ikkje. Importer ho for rett "
              "person.",
        "en": "The file is about {theirs}, not {ours}: the birth date or the name differs. Import it for the right "
              "person."},
    "empty": {
        "nb": "Filen har ingen resultater (ingen report med emner eller kvalifikasjoner).",
        "nn": "Fila har ingen resultat (ingen report med emne eller kvalifikasjonar).",
        "en": "The file holds no results (no report with courses or qualifications)."},
}
