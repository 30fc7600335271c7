"""The request's Parents column is written by the school's sweep and read by the LA's run:
what the LA issues to must be exactly whom the school named (Education Act 1996 s576: each
parent; DfE 2024 framework: one notice per parent per child)."""

from __future__ import annotations

from function_app.domain.model import Carer
from function_app.domain.penalty_register import parent_key
from function_app.services.penalty_notices.request_parents import parents_in, parents_text


def test_each_parent_named_reaches_the_la_with_their_address_and_email() -> None:
    stacey = Carer("c1", "Stacey", "Clarke", "Mother", True,
                   address="9 Mill Street\nBedford\n MK40 3HD\n")
    ryan = Carer("c2", "Ryan", "Clarke", "Father", True,
                 address="31 Kimbolton Road\nBedford\nMK40 2NR", email="ryan@example.org")
    text = parents_text([stacey, ryan])
    assert text.splitlines() == ["Stacey Clarke; 9 Mill Street, Bedford, MK40 3HD",
                                 "Ryan Clarke; 31 Kimbolton Road, Bedford, MK40 2NR; "
                                 "ryan@example.org"]
    read = parents_in(text)
    assert [(p.name, p.address, p.email) for p in read] == [
        ("Stacey Clarke", ("9 Mill Street", "Bedford", "MK40 3HD"), ""),
        ("Ryan Clarke", ("31 Kimbolton Road", "Bedford", "MK40 2NR"), "ryan@example.org")]
    # The register counts each as the school's case named them.
    assert [parent_key(p.carer(n)) for n, p in enumerate(read, 1)] == [
        parent_key(stacey), parent_key(ryan)]


def test_an_officers_edit_with_blank_lines_or_no_address_is_still_read() -> None:
    read = parents_in("\n  Jodie Marsh  \n\n")
    assert [(p.name, p.address, p.email) for p in read] == [("Jodie Marsh", (), "")]
    assert parents_in(None) == []
