#!/usr/bin/env python3
"""Finds import cycles between the modules of a Rust crate.

A module is a file under `src/` (`src/vault/mod.rs` is `vault`, `src/vault/review.rs` is
`vault::review`; the crate root is `crate`). A module depends on another when its code names a
path into it: `use crate::a::b`, `crate::a::b::f()`, `super::x`, `use super::*` (the parent),
braces included (`use crate::{a, b::c}`). A parent naming its own child by a relative path
(`review::x` in `vault/mod.rs`) is not counted: that is how a module is made of parts. Code under
a trailing `#[cfg(test)] mod tests` is left out: tests may reach anywhere. A cycle is a strongly
connected group of two or more modules.

Usage: module_cycles.py [--allowed FILE] CRATE_DIR...

Prints every cycle, one per line as `crate-dir: a <-> b <-> c`. With --allowed, exits 1 when a
cycle is not within one listed in FILE (same format; lines starting with # are comments), so
that known cycles can only shrink; without it, exits 1 on any cycle.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

PATH = re.compile(r"\b(crate|super)((?:::(?:\w+|\*|\{[^{}]*\}))+)")
TESTS = re.compile(r"^#\[cfg\(test\)\]\s*\n\s*mod tests\s*\{", re.M)


def strip_comments_and_strings(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r'r#*"(?:[^"\\]|\\.)*"#*', '""', text)
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)


def module_of(src: Path, file: Path) -> tuple[str, ...]:
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "mod":
        parts.pop()
    if parts in (["lib"], ["main"]):
        parts = []
    return tuple(parts)


def targets(module: tuple[str, ...], is_dir_module: bool, text: str) -> set[tuple[str, ...]]:
    """Every module path `text` names, as absolute module paths (not yet resolved to files)."""
    out: set[tuple[str, ...]] = set()
    for m in PATH.finditer(text):
        head, rest = m.group(1), m.group(2)
        segments = re.findall(r"::(\w+|\*|\{[^{}]*\})", rest)
        if head == "crate":
            base: list[str] = []
        else:
            # `super` in `a/mod.rs` (module a) is the crate root's a's parent; in `a/b.rs` too.
            base = list(module[:-1])
            while segments and segments[0] == "super":
                segments.pop(0)
                base = base[:-1]
        prefix = list(base)
        for seg in segments:
            if seg == "*":
                break
            if seg.startswith("{"):
                for item in seg[1:-1].split(","):
                    first = item.strip().split("::")[0].strip()
                    if re.fullmatch(r"\w+", first) and first not in ("self",):
                        out.add(tuple(prefix + [first]))
                break
            prefix.append(seg)
        out.add(tuple(prefix))
    return out


def resolve(path: tuple[str, ...], modules: set[tuple[str, ...]]) -> tuple[str, ...]:
    """The longest module that `path` starts with (a path may end in an item inside it)."""
    for n in range(len(path), -1, -1):
        if path[:n] in modules:
            return path[:n]
    return ()


def graph(crate: Path) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    src = crate / "src"
    files = sorted(p for p in src.rglob("*.rs"))
    modules = {module_of(src, f) for f in files}
    edges: dict[tuple[str, ...], set[tuple[str, ...]]] = {m: set() for m in modules}
    for f in files:
        m = module_of(src, f)
        text = strip_comments_and_strings(f.read_text(encoding="utf-8"))
        cut = TESTS.search(text)
        if cut:
            text = text[: cut.start()]
        for t in targets(m, f.name == "mod.rs", text):
            r = resolve(t, modules)
            if r != m and r != ():
                edges[m].add(r)
    return edges


def cycles(edges: dict[tuple[str, ...], set[tuple[str, ...]]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan), each sorted, by name."""
    index: dict = {}
    low: dict = {}
    stack: list = []
    on: set = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted("::".join(g) or "crate" for g in group))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--allowed", type=Path)
    ap.add_argument("crates", nargs="+", type=Path)
    args = ap.parse_args()
    allowed: list[tuple[str, set[str]]] = []
    if args.allowed:
        for line in args.allowed.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                crate, _, group = line.partition(":")
                allowed.append((crate.strip(), {g.strip() for g in group.split("<->")}))
    failed = False
    for crate in args.crates:
        name = crate.as_posix().rstrip("/")
        for group in cycles(graph(crate)):
            known = any(c == name and set(group) <= g for c, g in allowed)
            print(f"{name}: {' <-> '.join(group)}" + ("" if known else "   <- new"))
            failed |= not known
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
