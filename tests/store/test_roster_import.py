"""Roster parsing (row/column errors) and import into vendors, sites and markets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from labelqa.errors import ValidationError
from labelqa.services.roster import import_roster, parse_roster
from labelqa.store.models import Labeler, Market, Site, Vendor

GOOD = (
    "email,vendor,site,market,start_date,name\n"
    "Ana@Acme.example.com,Acme,Manila,PH,2026-01-05,Ana\n"
    "bo@acme.example.com,Acme,Cebu,PH,2026-02-01,\n"
    "cy@zen.example.com,Zen,Nairobi,KE,,Cy\n"
)


def test_parse_normalizes_email_and_dates():
    rows = parse_roster(GOOD)
    assert [r.email for r in rows] == [
        "ana@acme.example.com",
        "bo@acme.example.com",
        "cy@zen.example.com",
    ]
    assert rows[2].start_date is None and str(rows[0].start_date) == "2026-01-05"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x,Acme,Manila,PH,2026-01-05", "row 2, column email"),
        ("a@b.example.com,,Manila,PH,2026-01-05", "row 2, column vendor: empty"),
        ("a@b.example.com,Acme,,PH,2026-01-05", "row 2, column site: empty"),
        ("a@b.example.com,Acme,Manila,,2026-01-05", "row 2, column market: empty"),
        ("a@b.example.com,Acme,Manila,PH,2026-13-01", "row 2, column start_date"),
    ],
)
def test_each_bad_cell_is_named(line, expected):
    with pytest.raises(ValidationError) as e:
        parse_roster("email,vendor,site,market,start_date\n" + line + "\n")
    assert expected in str(e.value)


def test_empty_roster_is_an_error():
    with pytest.raises(ValidationError, match="no rows"):
        parse_roster("email,vendor,site,market,start_date\n")


def test_import_creates_and_then_updates(ctx):
    with ctx.sessions() as s:
        assert import_roster(s, GOOD, actor="t") == {"created": 3, "updated": 0}
        s.commit()
        moved = GOOD.replace("bo@acme.example.com,Acme,Cebu", "bo@acme.example.com,Zen,Nairobi")
        assert import_roster(s, moved, actor="t") == {"created": 0, "updated": 3}
        s.commit()
        assert s.scalar(select(func.count()).select_from(Vendor)) == 2
        assert s.scalar(select(func.count()).select_from(Site)) == 3
        assert s.scalar(select(func.count()).select_from(Market)) == 2
        bo = s.scalar(select(Labeler).where(Labeler.email == "bo@acme.example.com"))
        assert bo is not None and bo.vendor is not None and bo.vendor.name == "Zen"
