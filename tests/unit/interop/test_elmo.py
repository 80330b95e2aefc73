"""The diploma set as ELMO: valid against the official schema (offline), and carrying what the transcript shows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from tests.unit.diplomas.diploma_examples import HISF, bachelor_set, master_set, non_degree_set

from vitnemal.interop.elmo import (
    NS,
    SCHEMA_DIR,
    ElmoInvalid,
    diploma_to_elmo,
    elmo_schema,
    validate_elmo,
)

N = {"e": NS}


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
@pytest.mark.parametrize("make", [master_set, bachelor_set, non_degree_set])
def test_every_example_is_valid_elmo(make, lang: str) -> None:  # type: ignore[no-untyped-def]
    validate_elmo(diploma_to_elmo(make(lang)))


def test_the_schema_is_loaded_once_and_from_the_package() -> None:
    assert elmo_schema() is elmo_schema()
    assert (SCHEMA_DIR / "schema.xsd").exists() and (SCHEMA_DIR / "LICENSE.txt").exists()
    # The official example validates with the shipped copy too: the imports resolve offline.
    example = Path(__file__).parents[3].parent / "shared" / "standards" / "elmo" / "example.xml"
    if example.exists():
        validate_elmo(example.read_bytes())


def test_invalid_documents_are_refused_with_the_reason() -> None:
    xml = diploma_to_elmo(master_set())
    with pytest.raises(ElmoInvalid, match="status"):
        validate_elmo(xml.replace(b"<status>passed", b"<status>bestatt", 1))
    with pytest.raises(ElmoInvalid, match="well-formed"):
        validate_elmo(b"<elmo")


def test_learner_issuer_and_qualification() -> None:
    root = parse(diploma_to_elmo(master_set()))
    assert root.findtext("e:learner/e:identifier[@type='nationalIdentifier']", namespaces=N) == "01039512374"
    assert root.findtext("e:learner/e:givenNames", namespaces=N) == "Kari"
    assert root.findtext("e:learner/e:bday", namespaces=N) == "1995-03-01"
    issuer = root.find("e:report/e:issuer", N)
    assert issuer.findtext("e:identifier[@type='no-institution-number']", namespaces=N) == "185"
    assert issuer.findtext("e:identifier[@type='schac']", namespaces=N) == "uio.no"
    assert [t.text for t in issuer.findall("e:title", N)] == ["Universitetet i Oslo", "University of Oslo"]
    degree = root.find("e:report/e:learningOpportunitySpecification", N)
    assert degree.findtext("e:identifier[@type='local']", namespaces=N) == "MA-INF"
    assert degree.findtext("e:type", namespaces=N) == "Degree Programme"
    loi = degree.find("e:specifies/e:learningOpportunityInstance", N)
    assert loi.findtext("e:date", namespaces=N) == "2025-12-18"
    assert loi.find("e:credit", N) is None  # credits are on the courses only, as the schema demands
    assert [lv.findtext("e:value", namespaces=N) for lv in loi.findall("e:level", N)] == ["7", "7"]


def test_courses_are_parts_with_terms_grades_credits_and_groups() -> None:
    diploma = master_set()
    root = parse(diploma_to_elmo(diploma))
    parts = root.findall("e:report/e:learningOpportunitySpecification/e:hasPart/e:learningOpportunitySpecification", N)
    assert len(parts) == len(diploma.transcript.lines)
    total = sum(Decimal(p.findtext("e:specifies/e:learningOpportunityInstance/e:credit/e:value", namespaces=N))
                for p in parts)
    assert total == diploma.transcript.total_credits
    by_code = {p.findtext("e:identifier", namespaces=N): p for p in parts}
    inf = by_code["INF4010"].find("e:specifies/e:learningOpportunityInstance", N)
    assert inf.findtext("e:resultLabel", namespaces=N) == "B"
    assert inf.findtext("e:academicTerm/e:title[@{http://www.w3.org/XML/1998/namespace}lang='en']",
                        namespaces=N) == "2024 Autumn"
    assert [c.get("count") for c in inf.findall("e:resultDistribution/e:category", N)] == ["3", "8", "9", "4", "2"]
    thesis = by_code["INF5930"]
    assert thesis.findtext("e:description", namespaces=N) == "Maskinlæring for tidlig varsling av sepsis"
    groups = [g.findtext("e:title", namespaces=N) for g in root.findall("e:groups/e:groupType/e:group", N)]
    assert groups == [g.heading for g in diploma.transcript.groups]
    assert thesis.find("e:specifies/e:learningOpportunityInstance/e:grouping", N).get("idref") == str(len(groups))


@pytest.mark.parametrize(("lang", "word"), [("nb", "Innpasset"), ("nn", "Innpassa"), ("en", "Recognized")])
def test_recognised_courses_and_blocks(lang: str, word: str) -> None:
    root = parse(diploma_to_elmo(master_set(lang)))  # type: ignore[arg-type]
    parts = root.findall(".//e:hasPart/e:learningOpportunitySpecification", N)
    external = [p for p in parts if p.find("e:identifier[@type='external-institution']", N) is not None]
    assert len(external) == 2
    course, block = external
    assert course.findtext("e:identifier[@type='external-course-code']", namespaces=N) == "DAT200"
    assert all(HISF in t.text for t in course.findall("e:title", N))
    assert block.findtext("e:type", namespaces=N) == "Module"
    for p in external:
        loi = p.find("e:specifies/e:learningOpportunityInstance", N)
        assert loi.findtext("e:resultLabel", namespaces=N) == word
        assert loi.findtext("e:gradingSchemeLocalId", namespaces=N) == "recognised"
    assert block.findtext(".//e:credit/e:value", namespaces=N) == "20"


def test_the_same_set_gives_the_same_bytes() -> None:
    assert diploma_to_elmo(master_set()) == diploma_to_elmo(master_set())
