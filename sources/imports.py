"""CSV import of claims with their sources and excerpts: parse, dry run, then all-or-nothing apply.

One row is one citation. Rows with the same speaker, text and date make one claim with several
citations. The dry run applies everything inside a transaction that is rolled back, so the preview
shows the errors the services themselves would raise (per row), not a second copy of their rules.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from core import spreadsheet
from core.history import change_set
from core.jobs import Progress
from core.web import parse_partial_date
from sources.forms import IMPORT_MAX_ROWS
from sources.normalise import normalise_url
from sources.services import source_find_by_url, source_get_or_create_by_url
from tracker.choices import ClaimKind
from tracker.models import Actor, Topic
from tracker.selectors import actor_lookup
from tracker.services import claim_create

COLUMNS = ["speaker", "text", "kind", "stated_on", "topics", "source_url", "source_title", "excerpt", "locator"]
REQUIRED = {"speaker", "text", "excerpt"}
TEMPLATE_ROWS = [
    {
        "speaker": "keir-starmer",
        "text": "The UK is willing to send troops to Ukraine if necessary.",
        "kind": "reported",
        "stated_on": "2025-02",
        "topics": "european-troops-in-ukraine",
        "source_url": "https://news.example.org/2025/02/european-leaders-paris",
        "source_title": "European leaders weigh response to US-Russia talks on Ukraine",
        "excerpt": "British Prime Minister Starmer has stated that the UK is willing to send troops to Ukraine "
        "if necessary",
        "locator": "paragraph 7",
    }
]


@dataclass
class ImportRow:
    number: int  # the line in the file, header = 1
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    speaker: Actor | None = None
    topics: list[Topic] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    new_source: bool = False

    @property
    def claim_key(self) -> tuple[Any, ...]:
        return (self.speaker.pk if self.speaker else None, self.data.get("text"), self.data.get("stated_on"))


@dataclass
class ImportResult:
    rows: list[ImportRow]
    errors: list[str]  # problems with the file as a whole
    claims: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not any(row.errors for row in self.rows)


def template_csv() -> str:
    """The import template, with a byte-order mark so a spreadsheet reads it as UTF-8 (the import strips it)."""
    out = io.StringIO()
    out.write(spreadsheet.BOM)
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue()


def _topic(value: str) -> Topic | None:
    return Topic.objects.filter(Q(slug=value) | Q(title__iexact=value)).first()


def _parse_row(row: ImportRow) -> None:
    values = row.values
    for name in sorted(REQUIRED):
        if not values.get(name, "").strip():
            row.errors.append(f"{name}: this column is required.")
    speaker = values.get("speaker", "").strip()
    if speaker:
        matches = actor_lookup(speaker)
        if len(matches) == 1:
            row.speaker = matches[0]
        else:
            row.errors.append(
                f"speaker: no actor is called “{speaker}”."
                if not matches
                else f"speaker: several actors are called “{speaker}”; use the slug."
            )
    kind = values.get("kind", "").strip().lower().replace(" ", "_") or ClaimKind.REPORTED
    if kind not in ClaimKind.values:
        row.errors.append(f"kind: “{values.get('kind')}” is not one of {', '.join(ClaimKind.values)}.")
    try:
        stated_on, precision = parse_partial_date(values.get("stated_on", ""))
    except ValidationError as error:
        row.errors.append(f"stated_on: {error.messages[0]}")
        stated_on, precision = None, "day"
    for name in filter(None, (t.strip() for t in values.get("topics", "").replace("|", ";").split(";"))):
        topic = _topic(name)
        if topic is None:
            row.errors.append(f"topics: no topic “{name}”.")
        else:
            row.topics.append(topic)
    url = values.get("source_url", "").strip()
    if not url:
        row.errors.append("source_url: every citation needs the URL of its source.")
    else:
        try:
            row.url = normalise_url(url)
        except ValueError as error:
            row.errors.append(f"source_url: {error}")
        else:
            row.new_source = source_find_by_url(row.url) is None
    row.data = {
        "speaker": row.speaker,
        "text": values.get("text", "").strip(),
        "kind": kind,
        "stated_on": stated_on,
        "stated_on_precision": precision,
    }


def parse(text: str) -> ImportResult:
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _read(reader)
    except csv.Error as error:
        # The csv module refuses a cell over csv.field_size_limit() (131,072 characters), for one.
        return ImportResult(rows=[], errors=[f"After line {reader.line_num}, this is not CSV we can read: {error}."])


def _read(reader: csv.DictReader) -> ImportResult:
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = sorted((REQUIRED | {"source_url"}) - set(header))
    if missing:
        return ImportResult(rows=[], errors=[f"The header lacks the column(s): {', '.join(missing)}."])
    reader.fieldnames = header
    rows = []
    for values in reader:
        if len(rows) >= IMPORT_MAX_ROWS:
            return ImportResult(rows=[], errors=[f"The file has more than {IMPORT_MAX_ROWS} rows."])
        values = {key: (value or "") for key, value in values.items() if key}
        if not any(v.strip() for v in values.values()):
            continue
        row = ImportRow(number=reader.line_num, values=values)
        _parse_row(row)
        rows.append(row)
    if not rows:
        return ImportResult(rows=[], errors=["The file has no data rows."])
    return ImportResult(rows=rows, errors=[])


def _groups(rows: list[ImportRow]) -> list[list[ImportRow]]:
    groups: dict[tuple[Any, ...], list[ImportRow]] = {}
    for row in rows:
        groups.setdefault(row.claim_key, []).append(row)
    return list(groups.values())


def _apply_group(group: list[ImportRow], *, user: Any, reason: str) -> None:
    first = group[0]
    citations = []
    for row in group:
        source = source_get_or_create_by_url(
            user=user, reason=reason, url=row.url, title=row.values.get("source_title", "")
        )
        citations.append(
            {
                "source": source,
                "excerpt": row.values.get("excerpt", ""),
                "locator": row.values.get("locator", "").strip(),
            }
        )
    topics = {topic.pk: topic for row in group for topic in row.topics}
    claim_create(user=user, reason=reason, data=first.data, topics=topics.values(), citations=citations)


def _error_text(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error) or "You do not have permission to do this."]
    if hasattr(error, "error_dict"):
        return [f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages]
    return list(error.messages)


class _DryRunRollbackError(Exception):
    pass


def _no_progress(done: int, total: int) -> None:
    pass


def dry_run(result: ImportResult, *, user: Any, reason: str, progress: Progress = _no_progress) -> ImportResult:
    """Run the services on every claim and roll everything back; errors land on the rows they concern."""
    if not result.ok:
        return result
    groups = _groups(result.rows)
    try:
        with transaction.atomic():
            for done, group in enumerate(groups, start=1):
                try:
                    with transaction.atomic():
                        _apply_group(group, user=user, reason=reason)
                except (ValidationError, PermissionDenied) as error:
                    for row in group:
                        row.errors.extend(_error_text(error))
                progress(done, len(groups))
            raise _DryRunRollbackError
    except _DryRunRollbackError:
        pass
    result.claims = len(groups)
    return result


def apply(result: ImportResult, *, user: Any, reason: str, progress: Progress = _no_progress) -> ImportResult:
    """All or nothing: one change set for the whole file; the first error undoes every row."""
    if not result.ok:
        return result
    groups = _groups(result.rows)
    current: list[ImportRow] = []
    try:
        with change_set():
            for done, group in enumerate(groups, start=1):
                current = group
                _apply_group(group, user=user, reason=reason)
                progress(done, len(groups))
    except (ValidationError, PermissionDenied) as error:
        for row in current:
            row.errors.extend(_error_text(error))
        return result
    result.claims = len(groups)
    return result


# --- As a background job (core/jobs.py; registered in sources/apps.py) ---------------------------

# Rows shown on the result page: every row with a problem, and the first ones of a clean file.
RESULT_ROWS_SHOWN = 200


def import_reason(name: str) -> str:
    return f"CSV import: {name}"[:500]


def _row_summary(row: ImportRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "speaker": str(row.speaker) if row.speaker else row.values.get("speaker", ""),
        "text": row.values.get("text", ""),
        "stated_on": row.values.get("stated_on", ""),
        "url": row.url or row.values.get("source_url", ""),
        "new_source": row.new_source,
        "excerpt": row.values.get("excerpt", ""),
        "errors": row.errors,
    }


def run_import_job(job: Any, progress: Progress) -> dict[str, Any]:
    """Check (`apply` false: a dry run, nothing kept) or import (`apply` true) the file a job carries."""
    name, apply_it = job.payload["name"], bool(job.payload.get("apply"))
    result = parse(job.payload["text"])
    run = apply if apply_it else dry_run
    result = run(result, user=job.user, reason=import_reason(name), progress=progress)
    flagged = [row for row in result.rows if row.errors]
    shown = flagged or result.rows[:RESULT_ROWS_SHOWN]
    return {
        "name": name,
        "applied": apply_it and result.ok,
        "ok": result.ok,
        "claims": result.claims,
        "row_count": len(result.rows),
        "error_rows": len(flagged),
        "errors": result.errors,
        "rows": [_row_summary(row) for row in shown[:RESULT_ROWS_SHOWN]],
    }
