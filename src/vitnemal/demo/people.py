"""Demo people: names, birth dates and national ids, drawn deterministically from a ``random.Random``.

National ids are built with :func:`vitnemal.identity.national_id.make_national_id` (never with our own mod-11
code): the ordinary fødselsnummer series for most people, D-numbers for the foreign students who had one before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from vitnemal.identity.national_id import NationalIdKind, individual_ranges, make_national_id


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FEMALE = _words(
    "Nora Emma Sara Ingrid Sofie Maja Emilie Thea Ida Hanna Ingeborg Kari Anne Marit Solveig Ragnhild Sigrid Astrid "
    "Silje Marte Kristine Julie Tuva Vilde Live Helene Camilla Linnea Hedda Mathilde Aurora Frida Guro Tone Eli "
    "Synnøve Åshild Gunhild Brita Oda"
)
MALE = _words(
    "Jakob Emil Noah Oliver Filip William Lucas Henrik Magnus Sander Kristian Ola Per Knut Lars Bjørn Arne Tor Odd "
    "Sindre Eirik Håkon Aksel Tobias Mathias Vegard Sverre Øystein Jon Anders Martin Trond Geir Espen Ivar Torbjørn "
    "Audun Steinar Ståle Even"
)
LAST = _words(
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen Pettersen Eriksen "
    "Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen Halvorsen Henriksen Lund Sørensen Jakobsen "
    "Moen Gundersen Iversen Strand Solberg Svendsen Eide Knutsen Martinsen Paulsen Bakken Kristoffersen Mathisen "
    "Lie Amundsen Nguyen Rasmussen Ali Lunde Solheim Berge Moe Nygård Bakke Kristensen Fredriksen Holm Lien "
    "Hauge Christensen Andresen Nielsen Knudsen Evensen Sæther Aas Myhre Hanssen Ahmed Haugland Thomassen Sivertsen "
    "Simonsen Danielsen Berntsen Sandvik Rønning Arnesen Antonsen Næss Vik Fjeld Tveit Brekke Aasen Ødegård "
    "Bjørnstad Sandberg Ruud Engen Kvam Gjerde Hovland Fosse Vold Rød Nordby Skogen Stene Hegge Teigen"
)
# Foreign students, the ones who first study under a D-number.
FOREIGN_FIRST = _words(
    "Anna Lukas Jonas Agnieszka Tomasz Marta Mateusz Elena Ahmad Fatima Yusuf Aisha Giulia Marco Chen Wei Laura "
    "Pablo Sofía Ivan Olena Dmitro Jana Petra Ali Leila Amir Nadia Kateryna Andrei"
)
FOREIGN_LAST = _words(
    "Kowalska Nowak Müller Schmidt Wiśniewski Rossi García López Kovalenko Shevchenko Novák Horváth Ivanova "
    "Hussein Rahman Khan Fernández Bianchi Wang Zhang Petrov Popescu Dvořák Jovanović Haddad Karimi"
)

FEMALE_FOREIGN = frozenset(
    _words("Anna Agnieszka Marta Elena Fatima Aisha Giulia Chen Laura Sofía Olena Jana Petra Leila Nadia Kateryna")
)


@dataclass(frozen=True)
class Identity:
    """A person's name, birth date and gender (which the individual number's ninth digit encodes)."""

    first_name: str
    last_name: str
    birth_date: date
    male: bool


class IdFactory:
    """Hands out unique national ids; ``taken`` starts with ids reserved elsewhere (the seed's test persons)."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None) -> None:
        self.rng = rng
        self.taken: set[str] = set(taken or ())

    def make(self, who: Identity, kind: NationalIdKind = NationalIdKind.FODSELSNUMMER) -> str:
        """Return a new, valid and unused id for ``who`` of ``kind`` in the ordinary series."""
        ranges = individual_ranges(who.birth_date.year)
        if not ranges:
            raise ValueError(f"no individual numbers for people born in {who.birth_date.year}")
        for _ in range(10_000):
            r = self.rng.choice(ranges)
            individual = self.rng.randrange(r.start, r.stop)
            # The ninth digit is odd for men, even for women; the ranges end on an odd number, so +1 stays inside.
            if (individual % 2 == 1) != who.male:
                individual += 1 if individual + 1 < r.stop else -1
            number = make_national_id(who.birth_date, individual, kind=kind)
            if number is not None and number not in self.taken:
                self.taken.add(number)
                return number
        raise RuntimeError(f"could not find a free national id for {who}")


def draw_identity(rng: random.Random, birth_year: int, *, foreign: bool = False) -> Identity:
    """Return a random name and birth date in ``birth_year`` (Norwegian names, or foreign ones)."""
    born = date(birth_year, 1, 1) + timedelta(days=rng.randrange(365))
    if foreign:
        first = rng.choice(FOREIGN_FIRST)
        return Identity(first, rng.choice(FOREIGN_LAST), born, first not in FEMALE_FOREIGN)
    male = rng.random() < 0.45  # a little over half of Norwegian students are women
    first = rng.choice(MALE if male else FEMALE)
    if rng.random() < 0.12:  # double first names are common ("Kari Anne", "Per Olav")
        second = rng.choice(MALE if male else FEMALE)
        if second != first:
            first = f"{first} {second}"
    last = rng.choice(LAST)
    if rng.random() < 0.06:
        last = f"{rng.choice(LAST)} {last}"
    return Identity(first, last, born, male)
