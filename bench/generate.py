"""Generate a synthetic, valid cyclemap map of any size.

    python bench/generate.py 10000 > /tmp/map-10k.yaml
    python bench/generate.py 300 --seed 7 -o /tmp/map-300.yaml
    python bench/generate.py 1600 --shape one-sub -o /tmp/map-1600-sub.yaml
    python bench/generate.py 100000 --shape lean -o /tmp/map-100k.yaml

Activities are spread over the three phases. In the default shape (`tree`)
each top-level activity opens a subcycle of up to three levels, so the map has
the shape of a real one. In the shape `one-sub` every one of `size` top-level
activities opens a subcycle of exactly one activity (2 x size activities in
all): as many subcycle cards as activities on the ring, the hardest case for
the cycle layout. The `lean` shape is a tree whose activities have only a name,
an id and (mostly) scores, so that 100,000 activities (about 12 MB) fit under
the 16 MiB file limit. The output is deterministic for a given size, seed and shape.
"""

from __future__ import annotations

import argparse
import random
import sys

PHASES = ("pre", "during", "post")
WORDS = [
    "compare",
    "choose",
    "plan",
    "install",
    "check",
    "review",
    "renew",
    "order",
    "track",
    "pay",
    "measure",
    "learn",
    "ask",
    "book",
    "agree",
    "repair",
    "report",
    "share",
    "train",
    "sign",
    "budget",
    "migrate",
    "test",
]
OBJECTS = [
    "options",
    "offers",
    "supplier",
    "contract",
    "budget",
    "panels",
    "invoice",
    "usage",
    "warranty",
    "savings",
    "team",
    "data",
    "plan",
    "schedule",
    "access",
    "permit",
    "support",
    "feedback",
    "account",
]
SOURCES = ("interview", "survey", "observation", "market-data", "analytics", "other")


def _activity(rng: random.Random, number: int, indent: str) -> list[str]:
    name = f"{rng.choice(WORDS).capitalize()} {rng.choice(OBJECTS)} {number}"
    lines = [f"{indent}- name: {name}", f"{indent}  id: a{number}"]
    if rng.random() < 0.8:
        lines.append(f"{indent}  importance: {rng.randint(1, 10)}")
        lines.append(f"{indent}  satisfaction: {rng.randint(1, 10)}")
    if rng.random() < 0.5:
        lines.append(f"{indent}  pains: [Takes too long, Nobody explains {rng.choice(OBJECTS)}]")
    if rng.random() < 0.5:
        lines.append(f"{indent}  offerings: [Online {rng.choice(OBJECTS)} tool]")
    if rng.random() < 0.3:
        lines.append(f"{indent}  evidence:")
        lines.append(f"{indent}    - {{source: {rng.choice(SOURCES)}, ref: REF-{number}, date: 2026-04-02}}")
    return lines


SHAPES = ("tree", "one-sub", "lean")


def _lean_activity(rng: random.Random, number: int, indent: str) -> list[str]:
    name = f"{rng.choice(WORDS).capitalize()} {rng.choice(OBJECTS)} {number}"
    lines = [f"{indent}- name: {name}", f"{indent}  id: a{number}"]
    if rng.random() < 0.8:
        lines.append(f"{indent}  importance: {rng.randint(1, 10)}")
        lines.append(f"{indent}  satisfaction: {rng.randint(1, 10)}")
    return lines


def generate(size: int, seed: int = 1, shape: str = "tree") -> str:
    """Return the YAML text of a valid map with exactly `size` activities (`size` top-level ones for `one-sub`)."""
    if shape == "one-sub":
        return _one_sub(size, seed)
    activity = _lean_activity if shape == "lean" else _activity
    rng = random.Random(seed)
    out = _header(f"Synthetic map of {size} activities")
    per_phase = [size // 3 + (1 if i < size % 3 else 0) for i in range(3)]
    number = 0
    for phase, count in zip(PHASES, per_phase, strict=True):
        out.append(f"  {phase}:")
        out.append("    activities:" + ("" if count else " []"))
        remaining = count
        while remaining:
            # A top-level activity with a subtree of up to 1 + 3 + 3 + 3 activities.
            stack = [("      ", 0)]
            while stack and remaining:
                indent, depth = stack.pop()
                number += 1
                remaining -= 1
                out.extend(activity(rng, number, indent))
                if depth < 3 and remaining and rng.random() < 0.6:
                    out.append(f"{indent}  subcycle:")
                    kids = min(rng.randint(1, 3), remaining)
                    stack.extend([(indent + "    ", depth + 1)] * kids)
    return "\n".join(out) + "\n"


def _header(title: str) -> list[str]:
    return [
        "cyclemap: 1",
        f"title: {title}",
        "customer: Benchmark customers",
        "outcome: A measured outcome",
        "phases:",
    ]


def _one_sub(size: int, seed: int) -> str:
    """`size` top-level activities, each with a subcycle of one activity."""
    rng = random.Random(seed)
    out = _header(f"Synthetic map of {size} activities, each with a one-activity subcycle")
    number = 0
    for index, phase in enumerate(PHASES):
        count = size // 3 + (1 if index < size % 3 else 0)
        out.append(f"  {phase}:")
        out.append("    activities:" + ("" if count else " []"))
        for _ in range(count):
            number += 2
            out.extend(_activity(rng, number - 1, "      "))
            out.append("        subcycle:")
            out.extend(_activity(rng, number, "          "))
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, help="number of activities")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=SHAPES, default="tree", help="tree (default), one-sub or lean (see above)")
    parser.add_argument("-o", "--output", help="file to write (default: stdout)")
    args = parser.parse_args()
    text = generate(args.size, args.seed, args.shape)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
