"""The demo's study programmes as the diploma describes them: faculty, language, nominal length, NQF cycle, texts.

Every bachelor and master programme of an institution's catalogue is registered in its ``programmes`` table, so
that a demo degree can be issued as it would be at the institution: by the faculty that teaches the field (a
maths bachelor from the Faculty of Mathematics and Natural Sciences, not from whichever faculty a command line
named), in the programme's language, with the information page's texts. The texts are written from the field's
names; UiO's master's programme in informatics (the golden path's candidate) has hand-written ones.
"""

from __future__ import annotations

from vitnemal.demo.catalogue import Catalogue, Programme
from vitnemal.demo.fields import FIELDS
from vitnemal.programmes.service import ProgrammeSpec

Names = tuple[str, str, str]  # nb, nn, en

MN: Names = ("Det matematisk-naturvitenskapelige fakultet", "Det matematisk-naturvitskaplege fakultetet",
             "Faculty of Mathematics and Natural Sciences")
SV: Names = ("Det samfunnsvitenskapelige fakultet", "Det samfunnsvitskaplege fakultetet", "Faculty of Social Sciences")
HF: Names = ("Det humanistiske fakultet", "Det humanistiske fakultetet", "Faculty of Humanities")
TF: Names = ("Det teologiske fakultet", "Det teologiske fakultetet", "Faculty of Theology")
HEALTH: Names = ("Fakultet for helse- og sosialvitenskap", "Fakultet for helse- og sosialvitskap",
                 "Faculty of Health and Social Sciences")
TEACHERS: Names = ("Fakultet for lærerutdanning", "Fakultet for lærarutdanning", "Faculty of Teacher Education")
ENGINEERING: Names = ("Fakultet for ingeniørvitenskap", "Fakultet for ingeniørvitskap", "Faculty of Engineering")
BUSINESS: Names = ("Handelshøgskolen", "Handelshøgskulen", "Business School")
ARTS: Names = ("Fakultet for kunst, musikk og design", "Fakultet for kunst, musikk og design",
               "Faculty of Fine Art, Music and Design")
ARCHITECTURE: Names = ("Fakultet for arkitektur og design", "Fakultet for arkitektur og design",
                       "Faculty of Architecture and Design")
SPORT: Names = ("Fakultet for idrettsvitenskap", "Fakultet for idrettsvitskap", "Faculty of Sport Science")
POLICE: Names = ("Avdeling for bachelorutdanning", "Avdeling for bachelorutdanning", "Bachelor's Programme Division")

# The faculty of each field; a disciplinary field not listed goes by its examen facultatum variant.
_BY_FIELD: dict[str, Names] = {
    "teo": TF, "syk": HEALTH, "soa": HEALTH, "laer": TEACHERS, "ing": ENGINEERING, "bedr": BUSINESS,
    "rei": BUSINESS, "log": BUSINESS, "mus": ARTS, "kunst": ARTS, "ark": ARCHITECTURE, "idr": SPORT, "pol": POLICE,
}
_BY_EXFAC: dict[str, Names] = {"MN": MN, "SV": SV, "HF": HF}

# The golden path's programme (diplomas sample): UiO's master's programme in informatics, texts written by hand.
_HAND_WRITTEN: dict[tuple[str, str], dict[str, str]] = {("185", "MAINF"): {
    "objectives_nb": "Masterprogrammet gir avansert kunnskap om algoritmer, distribuerte systemer og maskinlæring, "
                     "og forbereder for arbeid med utvikling av krevende programvare i næringsliv og forvaltning."
                     "\n\nProgrammet består av obligatoriske emner (20 studiepoeng), valgfrie emner (40 studiepoeng) "
                     "og en masteroppgave på 30 eller 60 studiepoeng.",
    "objectives_nn": "Masterprogrammet gir avansert kunnskap om algoritmar, distribuerte system og maskinlæring, "
                     "og førebur for arbeid med utvikling av krevjande programvare.",
    "objectives_en": "The programme gives advanced knowledge of algorithms, distributed systems and machine "
                     "learning, and prepares for developing demanding software in industry and government.",
    "outcomes_nb": "Kandidaten kan analysere komplekse problemer, velge og begrunne metoder, og gjennomføre et "
                   "selvstendig forskningsprosjekt under veiledning i tråd med forskningsetiske normer.",
    "outcomes_nn": "Kandidaten kan analysere komplekse problem, velje og grunngje metodar, og gjennomføre eit "
                   "sjølvstendig forskingsprosjekt under rettleiing.",
    "outcomes_en": "The candidate can analyse complex problems, choose and justify methods, and carry out an "
                   "independent, supervised research project in line with research ethics.",
}}


def faculty_of(field: str) -> Names:
    """The faculty (nb, nn, en) that awards degrees in ``field``."""
    return _BY_FIELD.get(field) or _BY_EXFAC.get(FIELDS[field].exams, HF)


def _texts(prog: Programme) -> dict[str, str]:
    fld = FIELDS[prog.field]
    if prog.level == "master":
        return {
            "objectives_nb": f"Masterprogrammet i {fld.name_nb} gir avansert kunnskap om fagets teorier og metoder "
                             "og kvalifiserer for forskning og krevende arbeid i næringsliv og forvaltning.\n\n"
                             "Programmet består av obligatoriske emner, valgfrie emner og en masteroppgave på 30 "
                             "eller 60 studiepoeng, til sammen 120 studiepoeng over to år.",
            "objectives_nn": f"Masterprogrammet i {fld.name_nb} gir avansert kunnskap om teoriane og metodane i "
                             "faget og kvalifiserer for forsking og krevjande arbeid.\n\nProgrammet består av "
                             "obligatoriske emne, valfrie emne og ei masteroppgåve, til saman 120 studiepoeng.",
            "objectives_en": f"The master's programme in {fld.name_en} gives advanced knowledge of the theories and "
                             "methods of the field and qualifies for research and demanding work.\n\nIt consists "
                             "of compulsory courses, electives and a master's thesis of 30 or 60 credits, 120 ECTS "
                             "credits over two years.",
            "outcomes_nb": "Kandidaten har inngående kunnskap om fagområdet, kan analysere faglige problemstillinger "
                           "selvstendig og gjennomføre et avgrenset forskningsprosjekt under veiledning.",
            "outcomes_nn": "Kandidaten har inngåande kunnskap om fagområdet, kan analysere faglege problemstillingar "
                           "sjølvstendig og gjennomføre eit avgrensa forskingsprosjekt under rettleiing.",
            "outcomes_en": "The candidate has in-depth knowledge of the field, can analyse academic problems "
                           "independently and carry out a limited, supervised research project.",
        }
    return {
        "objectives_nb": f"Bachelorprogrammet i {fld.name_nb} gir en bred innføring i fagets teorier, metoder og "
                         "sentrale problemstillinger, og kvalifiserer for arbeid og for videre studier på "
                         "masternivå.\n\nProgrammet består av obligatoriske emner og valgfrie emner, til sammen "
                         "180 studiepoeng over tre år.",
        "objectives_nn": f"Bachelorprogrammet i {fld.name_nb} gir ei brei innføring i teoriane, metodane og dei "
                         "sentrale problemstillingane i faget, og kvalifiserer for arbeid og vidare studium.\n\n"
                         "Programmet består av obligatoriske og valfrie emne, til saman 180 studiepoeng.",
        "objectives_en": f"The bachelor's programme in {fld.name_en} gives a broad introduction to the theories, "
                         "methods and central questions of the field, and qualifies for work and for further "
                         "study at master's level.\n\nIt consists of compulsory and elective courses, 180 ECTS "
                         "credits over three years.",
        "outcomes_nb": "Kandidaten har bred kunnskap om fagområdet, kan anvende faglig kunnskap på praktiske og "
                       "teoretiske problemstillinger og formidle dem skriftlig og muntlig.",
        "outcomes_nn": "Kandidaten har brei kunnskap om fagområdet, kan nytte fagleg kunnskap på praktiske og "
                       "teoretiske problemstillingar og formidle dei skriftleg og munnleg.",
        "outcomes_en": "The candidate has broad knowledge of the field, can apply it to practical and theoretical "
                       "problems and communicate it in writing and orally.",
    }


def programme_spec(institution_code: str, prog: Programme) -> ProgrammeSpec:
    """The ``programmes`` row of one of the catalogue's programmes."""
    nb, nn, en = faculty_of(prog.field)
    master = prog.level == "master"
    texts = _HAND_WRITTEN.get((institution_code, prog.programme_code)) or _texts(prog)
    return ProgrammeSpec.from_mapping({
        "code": prog.programme_code, "name_nb": prog.programme_name_nb, "name_nn": prog.programme_name_nb,
        "name_en": prog.programme_name_en, "qualification_code": prog.code,
        "language": "nb", "faculty_nb": nb, "faculty_nn": nn, "faculty_en": en,
        "nominal_years": 2 if master else 3, "credits": prog.credits, "nqf_cycle": 2 if master else 1, **texts,
    })


def programme_specs(catalogue: Catalogue) -> list[ProgrammeSpec]:
    """Every programme of the catalogue (bachelors, then masters), by code."""
    code = catalogue.institution.code
    progs = [*catalogue.bachelors.values(), *catalogue.masters.values()]
    return sorted((programme_spec(code, p) for p in progs), key=lambda s: s.code)
