"""``revloop catalog``: validate a catalog file, save it as the active version, show versions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.catalog.actions import do_save_catalog
from revloop.catalog.models import CatalogVersion
from revloop.catalog.versions import get_version
from revloop.core.commands import SubcommandCommand, add_json_flag, read_text_file
from revloop.engine.truth import check_catalog
from revloop.users.commands import acting_user


class Command(SubcommandCommand):
    help = "The offer catalog: validate a file, save it as the active version, show versions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser(
            "validate", help="check a catalog file; errors name line and field"
        )
        validate.add_argument("file")
        save = sub.add_parser("save", help="make FILE the active catalog (a new version)")
        save.add_argument("file")
        save.add_argument("--note", default="", help="why it changed")
        show = sub.add_parser("show", help="every version, or one (V) with its text")
        show.add_argument("version", nargs="?")
        for subparser in sub.choices.values():
            add_json_flag(subparser)

    def _validate(self, options: dict[str, Any]) -> None:
        path, text = read_text_file(options["file"])
        catalog, errors = check_catalog(text, path.name)
        result = {
            "file": str(path),
            "valid": catalog is not None,
            "errors": [{"line": e.line, "path": e.path, "message": e.message} for e in errors],
        }

        def human() -> None:
            if catalog is None:
                for error in errors:
                    self.stderr.write(str(error))
            else:
                self.stdout.write(
                    f"{path} is a valid catalog: {len(catalog.products)} products, "
                    f"{len(catalog.facts)} facts."
                )

        self.emit(result, options, human)
        if errors:
            raise CommandError(f"{len(errors)} error{'s' if len(errors) > 1 else ''} in {path}")

    def _save(self, options: dict[str, Any]) -> None:
        path, text = read_text_file(options["file"])
        version, new = do_save_catalog(
            text, by=acting_user("saving the catalog"), source=path.name, note=options["note"]
        )
        result = {**_summary(version), "new": new}

        def human() -> None:
            if new:
                self.stdout.write(f"Saved v{version.number} ({version.company}); it is active.")
            else:
                self.stdout.write(f"v{version.number} already says this; nothing changed.")

        self.emit(result, options, human)

    def _show(self, options: dict[str, Any]) -> None:
        if options["version"]:
            version = get_version(options["version"])
            result = {**_summary(version), "text": version.text}
            self.emit(result, options, lambda: self.stdout.write(version.text))
            return
        versions = [_summary(v) for v in CatalogVersion.objects.select_related("created_by")]

        def human() -> None:
            if not versions:
                self.stdout.write("No catalog saved yet: revloop catalog save FILE")
            for v in versions:
                self.stdout.write(
                    f"v{v['version']:<4} {v['status']:<11} {v['company']:<24} "
                    f"{v['created_at']:%Y-%m-%d %H:%M} {v['created_by'] or '-'}"
                )

        self.emit({"versions": versions}, options, human)


def _summary(version: CatalogVersion) -> dict[str, Any]:
    return {
        "version": version.number,
        "company": version.company,
        "status": version.status,
        "created_by": version.created_by.username if version.created_by else None,
        "created_at": version.created_at,
        "note": version.note,
    }
