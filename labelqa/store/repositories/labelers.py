"""Labelers, their LS accounts, and the vendor / site / market they belong to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelqa.errors import NotFound
from labelqa.store.models import Labeler, LabelerAccount, Market, Site, Vendor

__all__ = [
    "RosterEntry",
    "account_map",
    "apply_roster",
    "get_labeler",
    "link_accounts",
    "list_labelers",
]


@dataclass(frozen=True)
class RosterEntry:
    """One validated roster row."""

    email: str
    vendor: str
    site: str
    market: str
    start_date: date | None
    name: str | None = None


def _vendor(session: Session, name: str, cache: dict[str, Vendor]) -> Vendor:
    if name not in cache:
        v = session.scalar(select(Vendor).where(Vendor.name == name))
        if v is None:
            v = Vendor(name=name)
            session.add(v)
            session.flush()
        cache[name] = v
    return cache[name]


def _site(session: Session, vendor: Vendor, name: str, cache: dict[tuple[int, str], Site]) -> Site:
    key = (vendor.id, name)
    if key not in cache:
        s = session.scalar(select(Site).where(Site.vendor_id == vendor.id, Site.name == name))
        if s is None:
            s = Site(vendor_id=vendor.id, name=name)
            session.add(s)
            session.flush()
        cache[key] = s
    return cache[key]


def _market(session: Session, name: str, cache: dict[str, Market]) -> Market:
    if name not in cache:
        m = session.scalar(select(Market).where(Market.name == name))
        if m is None:
            m = Market(name=name)
            session.add(m)
            session.flush()
        cache[name] = m
    return cache[name]


def apply_roster(session: Session, entries: Iterable[RosterEntry]) -> dict[str, int]:
    """Create or update labelers from roster rows; returns counts ``created``/``updated``."""
    vendors: dict[str, Vendor] = {}
    sites: dict[tuple[int, str], Site] = {}
    markets: dict[str, Market] = {}
    entries = list(entries)
    existing = {
        lab.email: lab
        for lab in session.scalars(
            select(Labeler).where(Labeler.email.in_([e.email for e in entries]))
        )
    }
    created = updated = 0
    for e in entries:
        v = _vendor(session, e.vendor, vendors)
        s = _site(session, v, e.site, sites)
        m = _market(session, e.market, markets)
        lab = existing.get(e.email)
        if lab is None:
            lab = Labeler(email=e.email, name=e.name)
            session.add(lab)
            existing[e.email] = lab
            created += 1
        else:
            updated += 1
        lab.vendor_id, lab.site_id, lab.market_id = v.id, s.id, m.id
        lab.start_date = e.start_date
        if e.name:
            lab.name = e.name
    session.flush()
    return {"created": created, "updated": updated}


def link_accounts(
    session: Session, source_id: int, users: Iterable[tuple[int, str, str]]
) -> dict[int, int]:
    """Make sure each LS user ``(ls_user_id, email, name)`` has a labeler and an account.

    Returns the map LS user id -> labeler id for the source.
    """
    users = [(uid, email.lower(), name) for uid, email, name in users if email]
    labelers = {
        lab.email: lab
        for lab in session.scalars(select(Labeler).where(Labeler.email.in_([u[1] for u in users])))
    }
    accounts = {
        a.ls_user_id: a
        for a in session.scalars(
            select(LabelerAccount).where(LabelerAccount.source_id == source_id)
        )
    }
    for uid, email, name in users:
        lab = labelers.get(email)
        if lab is None:
            lab = Labeler(email=email, name=name or None)
            session.add(lab)
            session.flush()
            labelers[email] = lab
        acc = accounts.get(uid)
        if acc is None:
            acc = LabelerAccount(
                source_id=source_id, ls_user_id=uid, email=email, labeler_id=lab.id
            )
            session.add(acc)
            accounts[uid] = acc
        elif acc.labeler_id != lab.id or acc.email != email:
            acc.labeler_id, acc.email = lab.id, email
    session.flush()
    return {uid: a.labeler_id for uid, a in accounts.items()}


def account_map(session: Session, source_id: int) -> dict[int, int]:
    """LS user id -> labeler id for one source."""
    rows = session.execute(
        select(LabelerAccount.ls_user_id, LabelerAccount.labeler_id).where(
            LabelerAccount.source_id == source_id
        )
    )
    return {int(u): int(lab) for u, lab in rows}


def get_labeler(session: Session, key: str) -> Labeler:
    """A labeler by e-mail or numeric id."""
    stmt = select(Labeler)
    stmt = (
        stmt.where(Labeler.id == int(key))
        if key.isdigit()
        else stmt.where(Labeler.email == key.lower())
    )
    lab = session.scalar(stmt)
    if lab is None:
        raise NotFound(f"no labeler {key!r}", code="labeler_not_found")
    return lab


def list_labelers(session: Session, vendor: str | None = None) -> list[Labeler]:
    """Labelers, optionally of one vendor, by e-mail."""
    stmt = select(Labeler).order_by(Labeler.email)
    if vendor:
        stmt = stmt.join(Vendor, Labeler.vendor_id == Vendor.id).where(Vendor.name == vendor)
    return list(session.scalars(stmt))
