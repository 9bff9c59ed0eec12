"""PNG plots of bench.json (matplotlib, Agg: no display needed)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)

_STATS = ("p50_ms", "p95_ms", "p99_ms", "max_ms")


def _label(entry: dict) -> str:
    return "%s\n%d baud, %d dev" % (entry["bus"], entry["baud"], entry["devices"])


def plot_path(entries: list[dict], name: str, out: Path) -> Path:
    """Grouped bars p50/p95/p99/max per bus for one path, with the wire bound and the floor."""
    fig, ax = plt.subplots(figsize=(max(5.0, 2.2 * len(entries) + 2), 4))
    width = 0.18
    for k, stat in enumerate(_STATS):
        xs = [i + (k - 1.5) * width for i in range(len(entries))]
        ax.bar(xs, [e[stat] for e in entries], width, label=stat[:-3])
    for i, entry in enumerate(entries):
        ax.hlines(entry["bound_ms"], i - 0.45, i + 0.45, colors="black", linestyles="solid",
                  label="wire bound" if i == 0 else None)
        if entry.get("floor_ms", 0) > entry["bound_ms"]:
            ax.hlines(entry["floor_ms"], i - 0.45, i + 0.45, colors="grey", linestyles="dashed",
                      label="bound + deliberate + mechanical" if i == 0 else None)
    ax.set_xticks(range(len(entries)), [_label(e) for e in entries], fontsize=8)
    ax.set_ylabel("latency, ms")
    ax.set_title("%s (trials: %s)" % (name, ", ".join(str(e["trials"]) for e in entries)))
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def plot_sweep(entries: list[dict], axis: str, out: Path) -> Path:
    """p50/p99 and the wire bound against devices per bus or baud."""
    key = "devices" if axis == "devices" else "baud"
    fig, ax = plt.subplots(figsize=(6, 4))
    xs: list[int] = []
    for baud in sorted({e["baud"] for e in entries}):  # one line set per baud
        line = sorted((e for e in entries if e["baud"] == baud), key=lambda e: e[key])
        x = [e[key] for e in line]
        xs += x
        tag = "" if key == "baud" else " %d" % baud
        ax.plot(x, [e["p50_ms"] for e in line], "o-", label="p50" + tag)
        ax.plot(x, [e["p99_ms"] for e in line], "s-", label="p99" + tag)
        ax.plot(x, [e["bound_ms"] + e.get("deliberate_ms", 0.0) for e in line], "--",
                label="floor (incl. hold)" + tag)
    xs = sorted(set(xs))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(xs, [str(x) for x in xs])
    ax.set_xlabel("devices per bus" if axis == "devices" else "baud")
    ax.set_ylabel("panic_to_commanded, ms")
    ax.set_title("sweep: %s" % key)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def plot_all(bench: dict, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    main = [e for e in bench["paths"] if not e.get("sweep")]
    for name in sorted({e["name"] for e in main}):
        written.append(plot_path([e for e in main if e["name"] == name], name, out_dir / ("%s.png" % name)))
    for axis in ("devices", "baud"):
        points = [e for e in bench["paths"] if e.get("sweep") == axis]
        if points:
            written.append(plot_sweep(points, axis, out_dir / ("sweep_%s.png" % axis)))
    return written
