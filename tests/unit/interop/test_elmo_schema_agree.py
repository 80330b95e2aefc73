"""The schema check the project uses (libxml2 through lxml, fast) gives the same verdict as xmlschema (the reference
implementation in pure Python) on valid documents and on each kind of invalid one."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from tests.unit.diplomas.diploma_examples import bachelor_set, master_set, non_degree_set

from vitnemal.interop.elmo import diploma_to_elmo, elmo_schema, schema_error

EXAMPLE = Path(__file__).parents[3].parent / "shared" / "standards" / "elmo" / "example.xml"
BASE = diploma_to_elmo(master_set())
CHANGES = {
    "status not in the list": (b"<status>passed</status>", b"<status>maybe</status>"),
    "family name missing": (b"<familyName>", b"<!--familyName>", b"</familyName>", b"</familyName-->"),
    "a month 13": (b"<bday>1995-03-01</bday>", b"<bday>1995-13-01</bday>"),
    "an element the schema does not know": (b"<learner>", b"<learner><shoeSize>44</shoeSize>"),
    "credits that are not a number": (b"<value>10</value>", b"<value>ten</value>"),
    "a language tag that is none": (b'xml:lang="nb"', b'xml:lang="not a language"'),
    "an attribute the schema does not know": (b"<report>", b'<report colour="red">'),
    "generatedDate missing": (b"<generatedDate>", b"<!--", b"</generatedDate>", b"-->"),
    "two learners": (b"</learner>", b"</learner><learner><givenNames>A</givenNames><familyName>B</familyName>"
                                   b"</learner>"),
    "issuer country not a country": (b"<country>NO</country>", b"<country>XX</country>"),
}


def _reference_valid(xml: bytes) -> bool:
    return elmo_schema().is_valid(xmlschema.XMLResource(xml, allow="none", defuse="always"))


def _documents() -> dict[str, bytes]:
    docs = {f"{make.__name__}-{lang}": diploma_to_elmo(make(lang)) for make in (master_set, bachelor_set,
                                                                               non_degree_set)
            for lang in ("nb", "en")}
    if EXAMPLE.exists():
        docs["official example"] = EXAMPLE.read_bytes()
    for name, change in CHANGES.items():
        xml = BASE
        for old, new in zip(change[::2], change[1::2], strict=True):
            assert old in xml, name
            xml = xml.replace(old, new, 1)
        docs[name] = xml
    return docs


@pytest.mark.parametrize(("name", "xml"), list(_documents().items()))
def test_both_checks_agree(name: str, xml: bytes) -> None:
    expected = _reference_valid(xml)
    assert (schema_error(etree.fromstring(xml)) is None) is expected, name
    assert expected is (name not in CHANGES), name  # the changes are invalid, the rest valid
