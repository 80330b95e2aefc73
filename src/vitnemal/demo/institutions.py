"""The demo federation's members: real Norwegian higher-education institutions with their FS institution numbers.

FS (Felles studentsystem) numbers its institutions with a three-digit *institusjonsnummer* that Cristin shares;
it is not the four-digit DBH code. FS keeps the numbers of institutions that have since merged (their records
live on), so historic institutions such as Høgskulen i Sogn og Fjordane (216) and Høgskolen i Nord-Trøndelag
(214) are members here, as in the seed's test procedure.

How sure each number is, recorded per entry in ``code_source``:

* ``"seed"``: given by the seed (214 HiNT, 216 HiSF).
* ``"confirmed"``: seen in public code or documentation (185 UiO in UiO's own identity-management code;
  194 NTNU as its Cristin institution number).
* ``"inferred"``: the state university colleges of the 1994 reform are numbered 201–225 in alphabetical order of
  their place names (Agder 201 … Ålesund 225). The seed's two numbers fit that sequence exactly (Nord-Trøndelag
  214, Sogn og Fjordane 216), which is why these are listed with some confidence; they were not checked one by
  one. Agder, Bodø and Stavanger appear under the universities they became (UiA, UiN, UiS).
* ``"recalled"``: from memory of Cristin/FS numbers (the old universities 184, 186 and 192, NHH 191), likely
  right but unverified.
* ``"unverified"``: the specialised and private institutions. Their names are real, their numbers could not be
  checked here and may be wrong; they only need to be distinct within the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vitnemal.institutions.registry import FormerName


@dataclass(frozen=True)
class DemoInstitution:
    """One member: FS number, names, short name, kind, the fields it teaches and how sure the number is.

    ``fields`` are keys of :data:`vitnemal.demo.fields.FIELDS`; ``weight`` is how many students it draws relative
    to the others (a big university many, a small college few).
    """

    code: str
    short_name: str
    name_nb: str
    name_en: str
    kind: str  # "university", "college", "specialised" or "private"
    fields: tuple[str, ...]
    weight: int
    code_source: str


def _i(code: str, short: str, nb: str, en: str, kind: str, fields: str, weight: int, source: str) -> DemoInstitution:
    return DemoInstitution(code, short, nb, en, kind, tuple(fields.split()), weight, source)


_U, _C, _S, _P = "university", "college", "specialised", "private"

INSTITUTIONS: tuple[DemoInstitution, ...] = (
    # Universities
    _i("184", "UiB", "Universitetet i Bergen", "University of Bergen", _U,
       "inf okon psy his bio stv mat sos nor medie", 9, "recalled"),
    _i("185", "UiO", "Universitetet i Oslo", "University of Oslo", _U,
       "inf okon psy his bio stv mat sos nor medie teo", 12, "confirmed"),
    _i("186", "UiT", "UiT Norges arktiske universitet", "UiT The Arctic University of Norway", _U,
       "inf okon psy his bio syk laer sos sam", 6, "recalled"),
    _i("192", "NMBU", "Norges miljø- og biovitenskapelige universitet", "Norwegian University of Life Sciences",
       _U, "bio okon mat ing", 3, "recalled"),
    _i("194", "NTNU", "Norges teknisk-naturvitenskapelige universitet",
       "Norwegian University of Science and Technology", _U,
       "inf ing mat okon psy his bio stv sos nor mus", 12, "confirmed"),
    _i("201", "UiA", "Universitetet i Agder", "University of Agder", _U,
       "inf bedr syk laer nor mus ing", 5, "inferred"),
    _i("204", "UiN", "Universitetet i Nordland", "University of Nordland", _U,
       "bedr syk laer soa bio", 3, "inferred"),
    _i("217", "UiS", "Universitetet i Stavanger", "University of Stavanger", _U,
       "inf bedr ing syk laer rei mus", 5, "inferred"),
    # State university colleges (the 1994 numbering, see the module docstring)
    _i("202", "HiAk", "Høgskolen i Akershus", "Akershus University College", _C, "laer syk ing", 2, "inferred"),
    _i("203", "HiB", "Høgskolen i Bergen", "Bergen University College", _C, "syk laer ing soa", 4, "inferred"),
    _i("205", "HiBu", "Høgskolen i Buskerud", "Buskerud University College", _C, "syk bedr ing", 2, "inferred"),
    _i("206", "HiF", "Høgskolen i Finnmark", "Finnmark University College", _C, "syk laer rei", 1, "inferred"),
    _i("207", "HiG", "Høgskolen i Gjøvik", "Gjøvik University College", _C, "inf ing syk medie", 2, "inferred"),
    _i("208", "HiH", "Høgskolen i Harstad", "Harstad University College", _C, "syk bedr soa", 1, "inferred"),
    _i("209", "HiHm", "Høgskolen i Hedmark", "Hedmark University College", _C, "laer syk bedr idr", 3,
       "inferred"),
    _i("210", "HiL", "Høgskolen i Lillehammer", "Lillehammer University College", _C, "medie rei soa psy", 2,
       "inferred"),
    _i("211", "HiMolde", "Høgskolen i Molde – Vitenskapelig høgskole i logistikk",
       "Molde University College – Specialized University in Logistics", _C, "log bedr inf syk", 2, "inferred"),
    _i("212", "HiN", "Høgskolen i Narvik", "Narvik University College", _C, "ing syk bedr", 1, "inferred"),
    _i("213", "HiNe", "Høgskolen i Nesna", "Nesna University College", _C, "laer idr", 1, "inferred"),
    _i("214", "HiNT", "Høgskolen i Nord-Trøndelag", "Nord-Trøndelag University College", _C,
       "syk laer bedr idr", 3, "seed"),
    _i("215", "HiO", "Høgskolen i Oslo", "Oslo University College", _C, "syk laer ing soa medie", 6,
       "inferred"),
    _i("216", "HiSF", "Høgskulen i Sogn og Fjordane", "Sogn og Fjordane University College", _C,
       "syk laer bedr idr rei", 3, "seed"),
    _i("218", "HSH", "Høgskolen Stord/Haugesund", "Stord/Haugesund University College", _C, "syk laer ing", 2,
       "inferred"),
    _i("219", "HiST", "Høgskolen i Sør-Trøndelag", "Sør-Trøndelag University College", _C,
       "ing syk laer bedr soa", 5, "inferred"),
    _i("220", "HiT", "Høgskolen i Telemark", "Telemark University College", _C, "laer ing bedr idr", 3,
       "inferred"),
    _i("221", "HiTø", "Høgskolen i Tromsø", "Tromsø University College", _C, "syk laer", 1, "inferred"),
    _i("222", "HiVe", "Høgskolen i Vestfold", "Vestfold University College", _C, "laer syk bedr ing", 3,
       "inferred"),
    _i("223", "HVO", "Høgskulen i Volda", "Volda University College", _C, "laer medie nor", 2, "inferred"),
    _i("224", "HiØ", "Høgskolen i Østfold", "Østfold University College", _C, "inf laer syk bedr", 3,
       "inferred"),
    _i("225", "HiÅ", "Høgskolen i Ålesund", "Aalesund University College", _C, "ing syk bedr", 2, "inferred"),
    # Specialised university institutions
    _i("191", "NHH", "Norges Handelshøyskole", "NHH Norwegian School of Economics", _S, "bedr okon", 3,
       "recalled"),
    _i("189", "NIH", "Norges idrettshøgskole", "Norwegian School of Sport Sciences", _S, "idr", 1, "unverified"),
    _i("178", "NMH", "Norges musikkhøgskole", "Norwegian Academy of Music", _S, "mus", 1, "unverified"),
    _i("177", "AHO", "Arkitektur- og designhøgskolen i Oslo", "The Oslo School of Architecture and Design", _S,
       "ark", 1, "unverified"),
    _i("190", "MF", "Det teologiske Menighetsfakultet", "MF Norwegian School of Theology", _S, "teo", 1,
       "unverified"),
    _i("193", "NVH", "Norges veterinærhøgskole", "Norwegian School of Veterinary Science", _S, "bio", 1,
       "unverified"),
    _i("195", "KHiO", "Kunsthøgskolen i Oslo", "Oslo National Academy of the Arts", _S, "kunst", 1,
       "unverified"),
    _i("196", "KHiB", "Kunsthøgskolen i Bergen", "Bergen Academy of Art and Design", _S, "kunst", 1,
       "unverified"),
    _i("231", "SA", "Samisk høgskole", "Sámi University College", _S, "sam laer", 1, "unverified"),
    _i("233", "PHS", "Politihøgskolen", "Norwegian Police University College", _S, "pol", 2, "unverified"),
    _i("198", "BAS", "Bergen Arkitekt Høgskole", "Bergen School of Architecture", _S, "ark", 1, "unverified"),
    # Private university colleges that use FS
    _i("232", "DiaHS", "Diakonhjemmet Høgskole", "Diakonhjemmet University College", _P, "syk soa", 2,
       "unverified"),
    _i("234", "LDH", "Lovisenberg diakonale høgskole", "Lovisenberg Diaconal University College", _P, "syk", 1,
       "unverified"),
    _i("235", "MHS", "Misjonshøgskolen", "School of Mission and Theology", _P, "teo", 1, "unverified"),
    _i("236", "HDH", "Haraldsplass diakonale høgskole", "Haraldsplass Deaconess University College", _P, "syk",
       1, "unverified"),
    _i("237", "BDH", "Betanien diakonale høgskole", "Betanien Deaconal University College", _P, "syk", 1,
       "unverified"),
    _i("238", "DSH", "Diakonova", "Diakonova University College", _P, "syk", 1, "unverified"),
    _i("253", "DMMH", "Dronning Mauds Minne Høgskole", "Queen Maud University College", _P, "laer", 2,
       "unverified"),
    _i("254", "NLA", "NLA Høgskolen", "NLA University College", _P, "laer teo medie", 2, "unverified"),
    _i("255", "FIH", "Fjellhaug Internasjonale Høgskole", "Fjellhaug International University College", _P,
       "teo", 1, "unverified"),
    _i("256", "AH", "Ansgar Teologiske Høgskole", "Ansgar University College", _P, "teo mus", 1, "unverified"),
    _i("257", "BD", "Barratt Due musikkinstitutt", "Barratt Due Institute of Music", _P, "mus", 1,
       "unverified"),
    _i("258", "SH", "Rudolf Steinerhøyskolen", "Rudolf Steiner University College", _P, "laer", 1,
       "unverified"),
    _i("259", "NDH", "Norges Dansehøyskole", "Norwegian College of Dance", _P, "kunst", 1, "unverified"),
    _i("260", "HLB", "Høgskulen for landbruk og bygdeutvikling", "University College for Agriculture and Rural "
       "Development", _P, "bio bedr", 1, "unverified"),
    _i("261", "HK", "Høyskolen Kristiania", "Kristiania University College", _P, "bedr medie inf", 3,
       "unverified"),
)

BY_CODE: dict[str, DemoInstitution] = {i.code: i for i in INSTITUTIONS}

# The seed's demo base (the fetching institution) and the two sources of its test persons: always present,
# always sharing, never reserved.
PROTECTED = ("185", "216", "214")


# Mergers (Strukturreformen): the FS numbers of the merged institutions live on, their nodes now answer under the
# new institution's name, and results obtained before the merger are shown with the name of their day. Dates are the
# mergers' legal dates: Nord universitet 1 January 2016; Høgskulen på Vestlandet 1 January 2017; Høgskolen i Oslo og
# Akershus 1 August 2011, a university (OsloMet) from 1 January 2018.
NORD = ("Nord universitet", "Nord University", date(2016, 1, 1))
HVL = ("Høgskulen på Vestlandet", "Western Norway University of Applied Sciences", date(2017, 1, 1))
HIOA = ("Høgskolen i Oslo og Akershus", "Oslo and Akershus University College of Applied Sciences",
        date(2011, 8, 1))
OSLOMET = ("OsloMet – storbyuniversitetet", "OsloMet – Oslo Metropolitan University", date(2018, 1, 1))
MERGERS: dict[str, tuple[tuple[str, str, date], ...]] = {
    "204": (NORD,), "213": (NORD,), "214": (NORD,),
    "203": (HVL,), "216": (HVL,), "218": (HVL,),
    "202": (HIOA, OSLOMET), "215": (HIOA, OSLOMET),
}


def registry_names(inst: DemoInstitution) -> tuple[str, str, tuple[FormerName, ...]]:
    """(current nb name, current en name, former names oldest first) as the federation's registry holds them."""
    names = [(inst.name_nb, inst.name_en, None)] + [(nb, en, since) for nb, en, since in MERGERS.get(inst.code, ())]
    former = tuple(FormerName(nb, en, valid_to=names[n + 1][2], valid_from=since)  # type: ignore[arg-type]
                   for n, (nb, en, since) in enumerate(names[:-1]))
    return names[-1][0], names[-1][1], former


def get(code: str) -> DemoInstitution:
    """Return the demo institution with FS number ``code``; raise LookupError naming the known codes."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise LookupError(f"{code!r} is not a demo institution (known: {', '.join(sorted(BY_CODE))})") from None
