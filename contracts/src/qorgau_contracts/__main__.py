"""`python -m qorgau_contracts`: write the JSON Schemas, refusing breaking changes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .schemas import breaking_changes, current_schema
from .topics import TOPICS


def write_schemas(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    failed = False
    for topic in TOPICS:
        path = folder / f"{topic.name}.json"
        new = current_schema(topic.name)
        if path.exists():
            problems = breaking_changes(json.loads(path.read_text("utf-8")), new)
            if problems:
                failed = True
                print(f"{topic.name}: breaking change, not written:", file=sys.stderr)
                for problem in problems:
                    print(f"  - {problem}", file=sys.stderr)
                print("  publish it as a new topic version instead.", file=sys.stderr)
                continue
        path.write_text(json.dumps(new, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
        print(f"wrote {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(write_schemas(Path(__file__).parent / "json"))
