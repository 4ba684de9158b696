#!/usr/bin/env python3
"""Tests of module_cycles.py: a planted cycle is caught, and what is not a cycle is not."""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPT = Path(__file__).with_name("module_cycles.py")


def crate(files: dict[str, str]) -> Path:
    root = Path(tempfile.mkdtemp())
    for name, text in files.items():
        path = root / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


class ModuleCycles(unittest.TestCase):
    def test_a_planted_cycle_between_siblings_is_caught(self):
        c = crate({
            "lib.rs": "mod a;\nmod b;\n",
            "a.rs": "use crate::b::Thing;\npub struct Other;\n",
            "b/mod.rs": "pub struct Thing;\nfn f() { let _ = crate::{a::Other}; }\nmod c;\n",
            "b/c.rs": "use super::super::a::Other;\n",
        })
        out = run(str(c))
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("a <-> b", out.stdout)

    def test_super_star_reaches_the_parent(self):
        c = crate({
            "lib.rs": "mod v;\nmod s;\n",
            "v/mod.rs": "use crate::s::Binding;\nmod k;\n",
            "v/k.rs": "use super::*;\n",
            "s.rs": "pub fn f() { crate::v::k::g(); }\n",
        })
        out = run(str(c))
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("s <-> v <-> v::k", out.stdout)

    def test_comments_strings_and_tests_do_not_count(self):
        c = crate({
            "lib.rs": "mod a;\nmod b;\n",
            "a.rs": "use crate::b::Thing;\n",
            "b.rs": (
                "pub struct Thing;\n// crate::a::x\n/* crate::a::y */\n"
                "const S: &str = \"crate::a::z\";\n"
                "#[cfg(test)]\nmod tests {\n    use crate::a::*;\n}\n"
            ),
        })
        out = run(str(c))
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertEqual(out.stdout, "")

    def test_a_known_cycle_may_stay_but_not_grow(self):
        c = crate({
            "lib.rs": "mod a;\nmod b;\nmod d;\n",
            "a.rs": "use crate::b::X;\n",
            "b.rs": "use crate::a::Y;\n",
            "d.rs": "",
        })
        allowed = Path(tempfile.mkdtemp()) / "allowed.txt"
        allowed.write_text(f"# known\n{c.as_posix()}: a <-> b\n", encoding="utf-8")
        self.assertEqual(run("--allowed", str(allowed), str(c)).returncode, 0)
        (c / "src" / "d.rs").write_text("use crate::a::Y;\n", encoding="utf-8")
        (c / "src" / "b.rs").write_text("use crate::a::Y;\nuse crate::d::Z;\n", encoding="utf-8")
        (c / "src" / "a.rs").write_text("use crate::b::X;\n", encoding="utf-8")
        grown = run("--allowed", str(allowed), str(c))
        self.assertEqual(grown.returncode, 1, grown.stdout)
        self.assertIn("<- new", grown.stdout)


if __name__ == "__main__":
    unittest.main()
