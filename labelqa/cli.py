"""The ``labelqa`` command line (Typer). Every command has ``--help`` and ``--json``.

Errors print one line naming the problem (or a JSON error object with ``--json``) on stderr and
exit with status 1; nothing is half-written.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from labelqa.context import AppContext
from labelqa.errors import LabelQAError
from labelqa.settings import get_settings
from labelqa.store.db import session_scope

app = typer.Typer(
    help="LabelQA: quality assurance for labels made in Label Studio.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
source_app = typer.Typer(help="Label Studio sources.", no_args_is_help=True)
queue_app = typer.Typer(help="Queues (LS projects bound to LabelQA).", no_args_is_help=True)
labelers_app = typer.Typer(help="Labelers and the roster.", no_args_is_help=True)
annotations_app = typer.Typer(help="Annotations in the store.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
sop_app = typer.Typer(help="Versioned labeling SOPs.", no_args_is_help=True)
gold_app = typer.Typer(help="Gold sets: import, hidden injection, status.", no_args_is_help=True)
report_app = typer.Typer(help="Quality reports.", no_args_is_help=True)
app.add_typer(source_app, name="source")
app.add_typer(queue_app, name="queue")
app.add_typer(labelers_app, name="labelers")
app.add_typer(annotations_app, name="annotations")
app.add_typer(token_app, name="token")
app.add_typer(sop_app, name="sop")
app.add_typer(gold_app, name="gold")
app.add_typer(report_app, name="report")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
T = TypeVar("T")
ACTOR = "cli"


def _emit(as_json: bool, data: Any, human: Callable[[], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, default=str, indent=2) + "\n")
    else:
        human()


@contextmanager
def _context(as_json: bool, *, migrated: bool = True) -> Iterator[AppContext]:
    """Settings + store for one command; LabelQA errors become a message and exit 1."""
    ctx: AppContext | None = None
    try:
        settings = get_settings()
        settings.check_secret()
        ctx = AppContext(settings)
        if migrated:
            ctx.require_store()
        yield ctx
    except LabelQAError as exc:
        if as_json:
            sys.stderr.write(json.dumps({"code": exc.code, "message": exc.message}) + "\n")
        else:
            err.print(
                f"[red]error[/red] ({exc.code}): {exc.message}", highlight=False, soft_wrap=True
            )
        raise typer.Exit(1) from None
    finally:
        if ctx is not None:
            ctx.dispose()


def _session(ctx: AppContext) -> AbstractContextManager[Session]:
    return session_scope(ctx.sessions)


# -- init / serve ----------------------------------------------------------------------------
@app.command()
def init(as_json: JsonOpt = False) -> None:
    """Create or migrate the store; on first run, create an admin API token and print it once."""
    from labelqa.services.tokens import create_token
    from labelqa.store.migrate import current_revision, upgrade
    from labelqa.store.repositories.tokens import has_admin

    with _context(as_json, migrated=False) as ctx:
        upgrade(ctx.engine)
        data: dict[str, Any] = {
            "database": ctx.engine.url.render_as_string(hide_password=True),
            "schema": current_revision(ctx.engine),
            "admin_token": None,
        }
        with _session(ctx) as s:
            if not has_admin(s):
                _, plain = create_token(s, "first-admin", "admin", actor=ACTOR)
                data["admin_token"] = plain

        def human() -> None:
            out.print(f"store ready: {data['database']} (schema {data['schema']})", highlight=False)
            if data["admin_token"]:
                out.print("admin API token (shown once, store it now):", highlight=False)
                out.print(data["admin_token"], highlight=False, soft_wrap=True)

        _emit(as_json, data, human)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8400,
    as_json: JsonOpt = False,
) -> None:
    """Run the API (and dashboard) server."""
    import uvicorn

    from labelqa.api.app import create_app

    with _context(as_json) as ctx:
        if as_json:
            sys.stdout.write(json.dumps({"url": f"http://{host}:{port}"}) + "\n")
            sys.stdout.flush()
        uvicorn.run(create_app(ctx), host=host, port=port, log_level="info")


# -- sources / queues ------------------------------------------------------------------------
@source_app.command("add")
def source_add(
    name: str,
    url: Annotated[str, typer.Option(help="Label Studio base URL, e.g. http://ls.internal:8080")],
    token: Annotated[str, typer.Option(help="Label Studio API token (stored encrypted).")],
    as_json: JsonOpt = False,
) -> None:
    """Add a Label Studio server (checks the URL answers and the token is accepted)."""
    from labelqa.services.sources import add_source

    with _context(as_json) as ctx, _session(ctx) as s:
        src = add_source(s, ctx.settings, name, url, token, actor=ACTOR)
        data = {"id": src.id, "name": src.name, "url": src.url}
        _emit(
            as_json,
            data,
            lambda: out.print(f"source {src.name!r} added ({src.url})", highlight=False),
        )


@source_app.command("list")
def source_list(as_json: JsonOpt = False) -> None:
    """List sources (never their tokens)."""
    from labelqa.store.repositories.sources import list_sources

    with _context(as_json) as ctx, _session(ctx) as s:
        rows = [{"id": x.id, "name": x.name, "url": x.url} for x in list_sources(s)]
        _emit(as_json, rows, lambda: _table(rows, ["id", "name", "url"]))


@source_app.command("webhook-secret")
def source_webhook_secret(name: str, as_json: JsonOpt = False) -> None:
    """Print the shared secret LS must send in the webhook header for this source."""
    from labelqa.services.sources import webhook_secret
    from labelqa.store.repositories.sources import get_source

    with _context(as_json) as ctx, _session(ctx) as s:
        secret = webhook_secret(get_source(s, name), ctx.settings)
        data = {"header": ctx.settings.webhook_header, "secret": secret}
        _emit(as_json, data, lambda: out.print(f"{data['header']}: {secret}", highlight=False))


@queue_app.command("add")
def queue_add(
    source: Annotated[str, typer.Option(help="Source name.")],
    project_id: Annotated[int, typer.Option(help="Label Studio project id.")],
    name: Annotated[
        str | None, typer.Option(help="Queue name (default: the project title).")
    ] = None,
    webhook_url: Annotated[
        str | None, typer.Option(help="LabelQA's public base URL; registers the LS webhook.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Bind a Label Studio project as a queue."""
    from labelqa.services.connect import connector_for
    from labelqa.services.sources import add_queue, register_webhook
    from labelqa.store.repositories.sources import get_source

    with _context(as_json) as ctx, _session(ctx) as s:
        src = get_source(s, source)
        with connector_for(src, ctx.settings) as conn:
            q = add_queue(s, ctx.settings, conn, source, project_id, name, actor=ACTOR)
            hook = (
                register_webhook(s, ctx.settings, conn, q, webhook_url, actor=ACTOR)
                if webhook_url
                else None
            )
        data = {
            "id": q.id,
            "name": q.name,
            "project_id": q.project_id,
            "classes": q.classes,
            "webhook_id": hook,
        }
        _emit(
            as_json,
            data,
            lambda: out.print(
                f"queue {q.name!r} bound to project {q.project_id} "
                f"(classes: {', '.join(map(str, q.classes)) or 'none'})",
                highlight=False,
            ),
        )


@queue_app.command("list")
def queue_list(as_json: JsonOpt = False) -> None:
    """List queues with stored counts."""
    from labelqa.store.repositories import sync as sync_repo
    from labelqa.store.repositories.sources import list_queues, queue_counts

    with _context(as_json) as ctx, _session(ctx) as s:
        rows = []
        for q in list_queues(s):
            cp = sync_repo.checkpoint(s, q.id)
            rows.append(
                {
                    "name": q.name,
                    "source": q.source.name,
                    "project_id": q.project_id,
                    **queue_counts(s, q.id),
                    "last_sync_at": cp.last_sync_at,
                }
            )
        _emit(
            as_json,
            rows,
            lambda: _table(
                rows,
                [
                    "name",
                    "source",
                    "project_id",
                    "items",
                    "annotations",
                    "labelers",
                    "last_sync_at",
                ],
            ),
        )


# -- labelers --------------------------------------------------------------------------------
@labelers_app.command("import")
def labelers_import(
    roster: Annotated[
        Path, typer.Argument(help="CSV with columns email,vendor,site,market,start_date[,name]")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Import the roster; any bad row (named by row and column) means nothing is imported."""
    from labelqa.errors import ValidationError
    from labelqa.services.roster import import_roster

    with _context(as_json) as ctx:
        try:
            text = roster.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(
                f"cannot read roster {roster}: {exc}", code="roster_unreadable"
            ) from exc
        with _session(ctx) as s:
            counts = import_roster(s, text, actor=ACTOR)
        _emit(
            as_json,
            counts,
            lambda: out.print(
                f"roster imported: {counts['created']} new, {counts['updated']} updated labelers",
                highlight=False,
            ),
        )


@labelers_app.command("list")
def labelers_list(
    vendor: Annotated[str | None, typer.Option(help="Only this vendor.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List labelers with vendor, site and market."""
    from labelqa.store.repositories.labelers import list_labelers

    with _context(as_json) as ctx, _session(ctx) as s:
        rows = [
            {
                "id": lab.id,
                "email": lab.email,
                "vendor": lab.vendor.name if lab.vendor else None,
                "site": lab.site.name if lab.site else None,
                "market": lab.market.name if lab.market else None,
                "start_date": lab.start_date,
            }
            for lab in list_labelers(s, vendor)
        ]
        _emit(
            as_json,
            rows,
            lambda: _table(rows, ["id", "email", "vendor", "site", "market", "start_date"]),
        )


# -- sync ------------------------------------------------------------------------------------
@app.command()
def sync(
    queue: Annotated[str | None, typer.Option(help="Queue to sync (default: all).")] = None,
    full: Annotated[bool, typer.Option("--full", help="Re-read the whole project.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Sync annotations from Label Studio (incremental unless --full); prints what changed."""
    from labelqa.services.connect import connector_for
    from labelqa.services.sync import sync_queue
    from labelqa.store.repositories.sources import get_queue, list_queues

    with _context(as_json) as ctx, _session(ctx) as s:
        queues = [get_queue(s, queue)] if queue else list_queues(s)
        reports = []
        for q in queues:
            with connector_for(q.source, ctx.settings) as conn:
                if as_json or not sys.stderr.isatty():
                    rep = sync_queue(s, q, conn, ctx.settings, full=full, actor=ACTOR)
                else:
                    with Progress(
                        TextColumn(f"sync {q.name}"),
                        BarColumn(),
                        MofNCompleteColumn(),
                        TextColumn("tasks"),
                        TimeElapsedColumn(),
                        console=err,
                    ) as bar:
                        task = bar.add_task("sync", total=None)

                        def show(done: int, total: int, task: Any = task) -> None:
                            bar.update(task, completed=done, total=total)

                        rep = sync_queue(
                            s,
                            q,
                            conn,
                            ctx.settings,
                            full=full,
                            actor=ACTOR,
                            progress=show,
                        )
            reports.append(rep.as_dict())
            if not as_json:
                c = rep.counts
                unknown = (
                    f"; {c.unknown_labels} with labels not in the config"
                    if c.unknown_labels
                    else ""
                )
                out.print(
                    f"{q.name} ({rep.mode}{', resumed' if rep.resumed else ''}): items "
                    f"+{c.items_created} ~{c.items_updated} -{c.items_deleted}; annotations "
                    f"+{c.annotations_created} ~{c.annotations_updated} -{c.annotations_deleted}"
                    f"{unknown}"
                    f" ({rep.tasks_read} tasks read, {rep.requests} requests, {rep.seconds:.1f} s)",
                    highlight=False,
                )
        if as_json:
            _emit(True, reports, lambda: None)


# -- annotations -----------------------------------------------------------------------------
EXPORT_COLUMNS = [
    "ls_annotation_id",
    "ls_task_id",
    "labeler_email",
    "ls_user_id",
    "label",
    "labels",
    "label_status",
    "lead_time",
    "was_cancelled",
    "created_at",
    "updated_at",
    "result",
]


@annotations_app.command("export")
def annotations_export(
    queue: Annotated[str, typer.Option(help="Queue name.")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export a queue's annotations as JSON lines or CSV."""
    from labelqa.errors import ValidationError
    from labelqa.store.repositories.annotations import AnnotationFilter, query_annotations
    from labelqa.store.repositories.sources import get_queue

    with _context(as_json) as ctx, _session(ctx) as s:
        if fmt not in ("jsonl", "csv"):
            raise ValidationError(
                f"--format must be jsonl or csv, got {fmt!r}", code="invalid_format"
            )
        q = get_queue(s, queue)
        _, rows = query_annotations(s, AnnotationFilter(queue_id=q.id))
        records = [
            {
                "ls_annotation_id": a.ls_annotation_id,
                "ls_task_id": t,
                "labeler_email": e,
                "ls_user_id": a.ls_user_id,
                "label": a.label,
                "labels": a.labels,
                "label_status": a.label_status,
                "lead_time": a.lead_time,
                "was_cancelled": a.was_cancelled,
                "created_at": a.created_at.isoformat() if a.created_at else None,
                "updated_at": a.updated_at.isoformat() if a.updated_at else None,
                "result": a.result,
            }
            for a, t, e in rows
        ]
        fh = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            if fmt == "jsonl":
                for r in records:
                    fh.write(json.dumps(r) + "\n")
            else:
                w = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
                w.writeheader()
                for r in records:
                    w.writerow(
                        {**r, "labels": json.dumps(r["labels"]), "result": json.dumps(r["result"])}
                    )
        finally:
            if output:
                fh.close()
        if output:
            _emit(
                as_json,
                {"queue": q.name, "annotations": len(records), "path": str(output)},
                lambda: err.print(f"wrote {len(records)} annotations to {output}", highlight=False),
            )


# -- tokens ----------------------------------------------------------------------------------
@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="Who or what the token is for.")],
    role: Annotated[
        str, typer.Option(help="admin, sop_author, qa_analyst, vendor_manager, data_consumer")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Create an API token (printed once)."""
    from labelqa.services.tokens import create_token

    with _context(as_json) as ctx, _session(ctx) as s:
        tok, plain = create_token(s, name, role, actor=ACTOR)
        data = {"id": tok.id, "name": tok.name, "role": tok.role, "token": plain}
        _emit(as_json, data, lambda: out.print(plain, highlight=False, soft_wrap=True))


# -- SOPs ------------------------------------------------------------------------------------
@sop_app.command("validate")
def sop_validate(
    files: Annotated[list[Path], typer.Argument(help="SOP Markdown files (one version each).")],
    as_json: JsonOpt = False,
) -> None:
    """Validate SOP files (for CI): each version is checked against the previous version of the
    same key among the files given. Exits 1 if any file has an issue."""
    from labelqa.sops import SOPValidationError, check_text, parse_sop, parse_version

    texts: dict[Path, str] = {}
    problems: list[dict[str, Any]] = []
    parsed = []
    for f in files:
        try:
            texts[f] = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append({"file": str(f), "field": None, "line": None, "message": str(exc)})
            continue
        try:
            parsed.append((f, parse_sop(texts[f], source=str(f))))
        except SOPValidationError as exc:
            problems += [
                {"file": str(f), "field": i.field, "line": i.line, "message": i.message}
                for i in exc.issues
            ]
    by_key: dict[str, list[Any]] = {}
    for f, sop in parsed:
        by_key.setdefault(sop.key, []).append((f, sop))
    for versions in by_key.values():
        with contextlib.suppress(ValueError):  # a bad version is reported by check_text below
            versions.sort(key=lambda fs: parse_version(fs[1].version))
        previous = None
        for f, sop in versions:
            for i in check_text(texts[f], source=str(f), previous=previous):
                problems.append(
                    {"file": str(f), "field": i.field, "line": i.line, "message": i.message}
                )
            previous = sop
    data = {"files": len(files), "issues": problems, "ok": not problems}

    def human() -> None:
        for p in problems:
            where = f"{p['file']}:{p['line']}" if p["line"] else p["file"]
            err.print(f"{where}: {p['field'] or '-'}: {p['message']}", highlight=False)
        out.print(f"{len(files)} file(s), {len(problems)} issue(s)", highlight=False)

    _emit(as_json, data, human)
    if problems:
        raise typer.Exit(1)


@sop_app.command("publish")
def sop_publish(
    file: Annotated[Path, typer.Argument(help="The SOP version to publish.")],
    queue: Annotated[list[str], typer.Option(help="Queue(s) whose LS project gets this version.")],
    as_json: JsonOpt = False,
) -> None:
    """Store an SOP version and push its label config and instructions to the queues' projects."""
    from labelqa.errors import ValidationError
    from labelqa.services.connect import connector_for
    from labelqa.services.sops import publish_sop

    with _context(as_json) as ctx, _session(ctx) as s:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"cannot read {file}: {exc}", code="sop_unreadable") from exc
        res = publish_sop(
            s,
            ctx.settings,
            text,
            queue,
            lambda q: connector_for(q.source, ctx.settings),
            actor=ACTOR,
            source=str(file),
        )
        data = res.__dict__
        _emit(
            as_json,
            data,
            lambda: out.print(
                f"published {res.key}@{res.version} to {', '.join(res.queues)} "
                f"(effective from {res.effective_from})",
                highlight=False,
            ),
        )


@sop_app.command("history")
def sop_history(key: str, as_json: JsonOpt = False) -> None:
    """Every version of an SOP and where and when it was published."""
    from labelqa.services.sops import sop_history as history_of

    with _context(as_json) as ctx, _session(ctx) as s:
        rows = history_of(s, key)
        flat = [
            {
                **r,
                "classes": len(r["classes"]),
                "published": "; ".join(
                    f"{p['queue']} @ {p['effective_from']}" for p in r["published"]
                ),
            }
            for r in rows
        ]
        _emit(
            as_json,
            rows,
            lambda: _table(flat, ["version", "title", "status", "classes", "published"]),
        )


@sop_app.command("diff")
def sop_diff(key: str, v1: str, v2: str, as_json: JsonOpt = False) -> None:
    """What changed between two stored versions (classes added, removed, renamed, split,
    merged, changed definitions) and which queues are affected."""
    from labelqa.services.sops import diff_versions

    with _context(as_json) as ctx, _session(ctx) as s:
        d = diff_versions(s, key, v1, v2)

        def human() -> None:
            out.print(
                f"{key}: {v1} -> {v2}{' (breaking)' if d['breaking'] else ''}", highlight=False
            )
            for label in ("added", "removed"):
                if d[label]:
                    out.print(f"  classes {label}: {', '.join(d[label])}", highlight=False)
            for old, new in (d.get("renamed") or {}).items():
                out.print(f"  renamed: {old} -> {new}", highlight=False)
            for old, new in (d.get("split") or {}).items():
                out.print(f"  split: {old} -> {', '.join(new)}", highlight=False)
            for new, old in (d.get("merged") or {}).items():
                out.print(f"  merged: {', '.join(old)} -> {new}", highlight=False)
            for c in d.get("changed") or []:
                out.print(f"  changed {c['value']}.{c['field']}", highlight=False)
            out.print(
                f"  affected queues: {', '.join(d['affected_queues']) or 'none'}", highlight=False
            )

        _emit(as_json, d, human)


# -- gold ------------------------------------------------------------------------------------
@gold_app.command("import")
def gold_import(
    file: Annotated[
        Path,
        typer.Argument(help="JSONL or CSV: data fields, label(s), rationale, stratum, difficulty"),
    ],
    sop: Annotated[str, typer.Option(help="The SOP version the labels follow, KEY@VERSION.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: by extension)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import gold items; every row is checked against the SOP version, all or nothing."""
    from labelqa.errors import ValidationError
    from labelqa.services.gold import import_gold

    with _context(as_json) as ctx, _session(ctx) as s:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"cannot read {file}: {exc}", code="gold_unreadable") from exc
        kind = fmt or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
        res = import_gold(s, text, fmt=kind, sop_ref=sop, actor=ACTOR)
        _emit(
            as_json,
            res,
            lambda: out.print(
                f"imported {res['imported']} gold items for {res['sop']}", highlight=False
            ),
        )


@gold_app.command("inject")
def gold_inject(
    queue: Annotated[str, typer.Option(help="Queue to inject into.")],
    rate: Annotated[float, typer.Option(help="Share of gold among all tasks, in (0, 1].")],
    per_labeler_min: Annotated[
        int, typer.Option(help="Gold items each active labeler should see.")
    ] = 0,
    max_exposure: Annotated[int, typer.Option(help="Labelers a gold item may be shown to.")] = 3,
    seed: Annotated[int | None, typer.Option(help="Random seed (reproducible plans).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import hidden gold copies for the ordinary tasks added since the last injection."""
    from labelqa.services.connect import connector_for
    from labelqa.services.gold import check_rate, inject_gold
    from labelqa.store.repositories.sources import get_queue

    with _context(as_json) as ctx, _session(ctx) as s:
        check_rate(rate)
        q = get_queue(s, queue)
        with connector_for(q.source, ctx.settings) as conn:
            res = inject_gold(
                s,
                conn,
                queue,
                rate=rate,
                per_labeler_min=per_labeler_min,
                max_exposure=max_exposure,
                seed=seed,
                actor=ACTOR,
            )
        data = {
            "queue": res.queue,
            "ordinary_covered": res.ordinary_covered,
            "gold_copies": len(res.ls_task_ids),
            "pool_size": res.pool_size,
        }
        _emit(
            as_json,
            data,
            lambda: out.print(
                f"{res.queue}: {len(res.ls_task_ids)} gold copies for "
                f"{res.ordinary_covered} new ordinary tasks "
                f"(pool {res.pool_size})",
                highlight=False,
            ),
        )


@gold_app.command("status")
def gold_status_cmd(
    queue: Annotated[str, typer.Option(help="Queue.")],
    target: Annotated[float, typer.Option(help="Accuracy a labeler must reach.")] = 0.9,
    as_json: JsonOpt = False,
) -> None:
    """Per labeler: gold n, accuracy with 95% interval, qualification; and who must recalibrate."""
    from labelqa.gold import QualificationRule
    from labelqa.services.gold import gold_status

    with _context(as_json) as ctx, _session(ctx) as s:
        st = gold_status(s, queue, rule=QualificationRule(target=target))

        def human() -> None:
            out.print(
                f"{st['queue']} (SOP {st['sop_version']}): "
                f"{st['gold_items_active']} active gold items, "
                f"{st['gold_copies']} copies, {st['answers_scored']} answers scored",
                highlight=False,
            )
            _table(
                [
                    {
                        **r,
                        "accuracy": f"{r['accuracy']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]",
                    }
                    for r in st["labelers"]
                ],
                ["labeler", "vendor", "n", "accuracy", "qualification"],
            )
            for r in st["recalibrate"]:
                conf = ", ".join(f"{g}->{x} x{n}" for g, x, n in r["top_confusions"])
                out.print(
                    f"recalibrate {r['labeler']}: upper bound {r['ci_high']:.3f} < {st['target']}"
                    f"; confuses {conf or '-'}",
                    highlight=False,
                )

        _emit(as_json, st, human)


@gold_app.command("set-status")
def gold_set_status(
    gold_id: int,
    status: Annotated[str, typer.Option(help="active, retired, disputed or revalidate")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Retire, dispute or re-activate a gold item."""
    from labelqa.services.gold import set_gold_status

    with _context(as_json) as ctx, _session(ctx) as s:
        row = set_gold_status(s, gold_id, status, reason, actor=ACTOR)
        _emit(
            as_json,
            {"id": row.id, "status": row.status},
            lambda: out.print(f"gold item {row.id}: {row.status}", highlight=False),
        )


@gold_app.command("revalidate")
def gold_revalidate(
    sop: Annotated[str, typer.Option(help="The new SOP version, KEY@VERSION.")],
    as_json: JsonOpt = False,
) -> None:
    """Mark gold whose class the new SOP version changed as needing re-validation."""
    from labelqa.services.gold import mark_for_revalidation

    key, _, version = sop.partition("@")
    with _context(as_json) as ctx, _session(ctx) as s:
        res = mark_for_revalidation(s, key, version, actor=ACTOR)
        _emit(
            as_json,
            res,
            lambda: out.print(
                f"{res['sop']}: {len(res['marked'])} gold items marked for re-validation; "
                f"{res['counts']}",
                highlight=False,
            ),
        )


@labelers_app.command("scorecard")
def labelers_scorecard(labeler: str, as_json: JsonOpt = False) -> None:
    """One labeler: volume, speed, gold accuracy with interval, qualification, confusions."""
    from labelqa.services.gold import scorecard

    with _context(as_json) as ctx, _session(ctx) as s:
        card = scorecard(s, labeler)

        def human() -> None:
            out.print(
                f"{card['labeler']} ({card['vendor']} / {card['site']} / {card['market']})",
                highlight=False,
            )
            for q in card["queues"]:
                g = q["gold"]
                gold = (
                    (
                        f"gold {g['accuracy']:.3f} [{g['ci_low']:.3f}, {g['ci_high']:.3f}] "
                        f"n={g['n']}, "
                        f"{g['qualification']}"
                    )
                    if g
                    else "no gold answers yet"
                )
                out.print(
                    f"  {q['queue']}: {q['annotations']} annotations, "
                    f"median {q['median_lead_time_s']} s; {gold}",
                    highlight=False,
                )

        _emit(as_json, card, human)


@labelers_app.command("remove")
def labelers_remove(
    labeler: str,
    source: Annotated[str, typer.Option(help="Label Studio source the user is on.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the user loses access to every project.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a labeler's LS user from the organization (LS Community cannot pause a user)."""
    from labelqa.errors import ValidationError
    from labelqa.services.connect import connector_for
    from labelqa.services.gold import remove_from_label_studio

    with _context(as_json) as ctx, _session(ctx) as s:
        if not yes:
            raise ValidationError(
                "pass --yes: the user will lose access to every project", code="not_confirmed"
            )
        res = remove_from_label_studio(
            s, lambda src: connector_for(src, ctx.settings), labeler, source, actor=ACTOR
        )
        _emit(
            as_json,
            res,
            lambda: out.print(f"removed {res['labeler']} from {res['source']}", highlight=False),
        )


@report_app.command("accuracy")
def report_accuracy(
    queue: Annotated[str, typer.Option(help="Queue.")],
    by: Annotated[
        str, typer.Option(help="labeler, vendor, site, market, sop_version or queue")
    ] = "labeler",
    confidence: Annotated[float, typer.Option(help="Interval confidence.")] = 0.95,
    as_json: JsonOpt = False,
) -> None:
    """Gold accuracy per group with n and Wilson interval."""
    from labelqa.services.gold import accuracy_report_gold

    with _context(as_json) as ctx, _session(ctx) as s:
        acc = accuracy_report_gold(s, queue, by=by, confidence=confidence)
        rows = [
            {
                by: str(k),
                "n": int(r["n"]),
                "correct": int(r["correct"]),
                "accuracy": float(r["accuracy"]),
                "ci_low": float(r["ci_low"]),
                "ci_high": float(r["ci_high"]),
            }
            for k, r in acc.iterrows()
        ]
        _emit(
            as_json,
            rows,
            lambda: _table(
                [
                    {
                        **r,
                        "accuracy": f"{r['accuracy']:.3f}",
                        "interval": f"[{r['ci_low']:.3f}, {r['ci_high']:.3f}]",
                    }
                    for r in rows
                ],
                [by, "n", "accuracy", "interval"],
            ),
        )


def _table(rows: list[dict[str, Any]], cols: list[str]) -> None:
    t = Table(*cols)
    for r in rows:
        t.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in cols))
    out.print(t)


if __name__ == "__main__":
    app()
