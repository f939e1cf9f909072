"""``revloop check-copy FILE...``: a gate for content, failing when copy promises what is false.

Exit status: 0 when every file is clean, 1 when anything false was found, 2 when the
input could not be read (a missing file, an invalid catalog, no catalog saved).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.core.commands import RevloopCommand
from revloop.core.errors import RevloopError
from revloop.engine.truth import (
    FORMATS,
    CatalogInvalid,
    Checker,
    Report,
    detect_format,
    load_catalog,
)


class Command(RevloopCommand):
    help = "Check copy (text, Markdown, HTML, .eml) against the offer catalog; exit 1 on findings."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("files", nargs="+", metavar="FILE", help="copy to check; - reads stdin")
        parser.add_argument("--catalog", help="a catalog YAML file (default: the active catalog)")
        parser.add_argument(
            "--format", choices=FORMATS, help="read every FILE as this (default: by its suffix)"
        )
        parser.add_argument(
            "--semantic",
            action="store_true",
            help="also match claims by sentence embeddings (needs revloop[semantic])",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checker, label = self._checker(options)
        results = []
        for name in options["files"]:
            raw, fmt = self._read(name, options["format"])
            report = checker.check(raw, fmt)
            results.append((name, report))
        found = sum(len(report.findings) for _, report in results)
        document = {
            "catalog": label,
            "method": checker.method,
            "files": [{"file": name, **report.to_dict()} for name, report in results],
            "findings": found,
        }
        self.emit(document, options, lambda: self._human(results, label))
        if found:
            sys.stdout.flush()
            raise CommandError(
                f"{found} false claim{'s' if found != 1 else ''} in "
                f"{sum(1 for _, r in results if r.findings)} of {len(results)} file(s)",
                returncode=1,
            )

    def _checker(self, options: dict[str, Any]) -> tuple[Checker, str]:
        encoder = None
        if options["semantic"]:
            from revloop.engine.truth.semantic import load_encoder

            encoder = load_encoder()
        if options["catalog"]:
            path = Path(options["catalog"])
            try:
                catalog = load_catalog(path)
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from None
            except CatalogInvalid as exc:
                first = exc.errors[0]
                more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
                raise CommandError(f"invalid catalog: {first}{more}", returncode=2) from None
            return Checker(catalog, encoder), str(path)
        from revloop.catalog.versions import active_catalog

        try:
            version, catalog = active_catalog()
        except RevloopError as exc:
            # Exit 2 is this check's "could not check at all", whatever the reason; 1
            # is kept for copy that makes false claims.
            raise CommandError(exc.message, returncode=2) from None
        return Checker(catalog, encoder), f"v{version.number}"

    def _read(self, name: str, fmt: str | None) -> tuple[bytes, str]:
        if name == "-":
            raw = sys.stdin.buffer.read()
        else:
            try:
                raw = Path(name).read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {name}: {exc.strerror}", returncode=2) from None
        return raw, fmt or detect_format(
            None if name == "-" else name, raw.decode("utf-8", "replace")
        )

    def _human(self, results: list[tuple[str, Report]], label: str) -> None:
        for name, report in results:
            if not report.findings:
                self.stdout.write(f"{name}: clean")
                continue
            self.stdout.write(f"{name}: {len(report.findings)} finding(s)")
            for f in report.findings:
                line = report.text.count("\n", 0, f.start) + 1
                self.stdout.write(f"  line {line} [{f.fact}] {' '.join(f.sentence.split())}")
                self.stdout.write(f"    claim: {f.subject}")
                self.stdout.write(f"    truth: {f.truth}")
                self.stdout.write(f"    instead: {f.rewrite}")
        self.stdout.write(f"(checked against catalog {label})")
