"""Write or check docs/registers.md, generated from protocols/registers.py.

python tools/gen_register_doc.py --write docs/registers.md   # regenerate (make docs)
python tools/gen_register_doc.py --check docs/registers.md   # exit 1 when stale
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from protocols.register_doc import render  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", metavar="PATH", type=Path, help="write the document here")
    action.add_argument("--check", metavar="PATH", type=Path, help="fail when this file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text, encoding="utf-8")
        print("wrote %s (%d lines)" % (args.write, text.count("\n")))
        return 0
    current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
    if current != text:
        print("%s is stale: run `make docs` and commit it" % args.check, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
