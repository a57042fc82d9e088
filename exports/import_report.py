"""The import's report as plain text for the command line (a Slack preview renders the same report)."""

from __future__ import annotations

from exports.importer import ImportReport, shown


def render(report: ImportReport, name: str, *, dry_run: bool) -> str:
    lines = [f"{name}, sheet {report.sheet}: {report.rows} rows."]
    lines.append(f"New: {len(report.new)}")
    lines += [f"  row {p.row}: {p.handle} — {shown(p.title)}" for p in report.new]
    if report.groups_to_create:
        lines.append(f"Action groups to create: {', '.join(report.groups_to_create)}")
    lines.append(f"Changed: {len(report.changed)}")
    for p in report.changed:
        lines.append(f"  row {p.row}, INN-{p.ref}:")
        lines += [f"    {c.field}: {c.before!r} → {c.after!r}" for c in p.changes]  # shown already
    lines.append(f"Unchanged: {report.unchanged}")
    if report.notes:
        lines.append(f"Notes: {len(report.notes)}")
        lines += [f"  {n.line()}" for n in report.notes]
    if report.errors:
        lines.append(f"Errors: {len(report.errors)}")
        lines += [f"  {e.line()}" for e in report.errors]
        lines.append("Nothing was changed: correct the errors and import again.")
    elif dry_run:
        lines.append("Dry run: nothing was changed. Import again with --apply to apply it.")
    elif report.applied:
        lines.append(f"Applied: {len(report.new)} new, {len(report.changed)} changed.")
    return "\n".join(lines)
