"""Export and import of saved conversations: Markdown or JSON files out, JSON or Markdown files in.
No Streamlit here; the view offers the downloads and reports what an import did."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from models.store import ImportProblem, Store, StoreError, export_file_name, parse_import, to_json, to_markdown
from settings import Settings

EXPORTS = {"markdown": (to_markdown, "md"), "json": (to_json, "json")}


@dataclass
class ImportReport:
    """What an import did: the names it saved and a sentence per file it refused."""

    imported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class ExportsConversations:
    """What the memory chat does with whole saved conversations as files (its `store` holds them)."""

    store: Store
    settings: Settings

    def export(self, name: str, kind: str) -> bytes | str:
        """A saved conversation as a downloadable file's content; kind is "markdown" or "json"."""
        conversation = self.store.load(name)
        if kind == "json":  # carries the attached files, so that an import restores them
            return to_json(conversation, self.store.files)
        convert, _ = EXPORTS[kind]
        return convert(conversation)

    @staticmethod
    def export_file_name(name: str, kind: str) -> str:
        """The file name an export of `name` downloads as."""
        return export_file_name(name, EXPORTS[kind][1])

    def import_files(self, files: Iterable[tuple[str, bytes]]) -> ImportReport:
        """Import (file name, bytes) files; a bad file changes nothing, taken names get a suffix."""
        report = ImportReport()
        for file_name, data in files:
            try:
                conversations = parse_import(file_name, data, self.settings.max_import_mb)
            except ImportProblem as problem:
                report.problems.append(str(problem))
                continue
            for found in conversations:
                try:
                    summary = self.store.import_conversation(
                        found.name, found.messages, model=found.model, assistant=found.assistant,
                        files=found.files,
                    )
                except StoreError as error:
                    report.problems.append(f"“{file_name}” was not fully imported: {error}")
                    break
                report.imported.append(summary.name)
        return report
