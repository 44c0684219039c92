"""What the agent did with its tools in one turn, as plain data: a step per search, page read or
Python run, shown live above the answer and saved with it (never sent back to the model)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

KINDS = ("search", "read", "code", "note")
STATES = ("running", "done", "failed", "stopped")
STOPPED_NOTE = "Stopped by you before it finished."


@dataclass(frozen=True)
class ToolStep:
    """One step; a later event with the same `number` replaces it (running, then done or failed)."""

    number: int
    kind: str  # "search", "read", "code" or "note"
    label: str  # what the person reads: "Searching the web: best ramen in Lisbon"
    state: str = "running"
    detail: str = ""  # a failure's sentence, or a short summary
    results: tuple[tuple[str, str], ...] = ()  # (title, url) of what a search found
    code: str = ""  # the Python that ran
    output: str = ""  # what it printed
    images: tuple[str, ...] = ()  # base64 PNGs the code made

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            object.__setattr__(self, "kind", "note")
        if self.state not in STATES:
            object.__setattr__(self, "state", "failed")

    def ended(self, state: str = "done", **changes: Any) -> ToolStep:
        """This step finished (`done`) or `failed`, with what it found."""
        return replace(self, state=state, **changes)

    def stopped(self) -> ToolStep:
        """This step as a Stop leaves it: a running one marked stopped, any other as it ended."""
        return replace(self, state="stopped", detail=STOPPED_NOTE) if self.state == "running" else self

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: empty fields left out."""
        data = asdict(self)
        data["results"] = [list(pair) for pair in self.results]
        data["images"] = list(self.images)
        return {key: value for key, value in data.items() if value not in ("", [], ())}

    @classmethod
    def from_dict(cls, data: Any) -> ToolStep:
        """A step from its JSON form; ValueError names what is wrong."""
        if not isinstance(data, dict) or not isinstance(data.get("label"), str):
            raise ValueError("a tool step must be an object with a label")
        known = {field.name for field in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["number"] = int(values.get("number") or 0)
        values["kind"] = str(values.get("kind") or "note")
        results = values.get("results") or ()
        values["results"] = tuple((str(pair[0]), str(pair[1])) for pair in results
                                  if isinstance(pair, (list, tuple)) and len(pair) == 2)
        values["images"] = tuple(str(image) for image in values.get("images") or () if isinstance(image, str))
        for name in ("state", "detail", "code", "output"):
            if name in values and not isinstance(values[name], str):
                raise ValueError(f"a tool step's {name} must be text")
        return cls(**values)


@dataclass(frozen=True)
class ToolChoice:
    """Which tools the agent may use in a conversation: the Tools control's two switches."""

    web_search: bool = False
    code: bool = False

    @property
    def any(self) -> bool:
        return self.web_search or self.code

    def to_dict(self) -> dict[str, bool]:
        return {"web_search": self.web_search, "code": self.code}

    def updated_from(self, data: Any) -> ToolChoice:
        """These switches with whatever `data` (a saved `to_dict`) validly sets."""
        if not isinstance(data, dict):
            return self
        changes = {key: data[key] for key in ("web_search", "code") if isinstance(data.get(key), bool)}
        return replace(self, **changes)


def steps_markdown(steps: tuple[ToolStep, ...]) -> str:
    """An answer's steps for a Markdown export, folded like its thinking."""
    lines = []
    for step in steps:
        mark = " (failed: " + step.detail + ")" if step.state == "failed" else ""
        lines.append(f"- {step.label}{mark}")
        lines.extend(f"  - [{title}]({url})" for title, url in step.results)
        if step.code:
            lines.append("\n```python\n" + step.code + "\n```")
        if step.output:
            lines.append("\n```text\n" + step.output + "\n```")
    return "<details><summary>Steps</summary>\n\n" + "\n".join(lines) + "\n\n</details>"
