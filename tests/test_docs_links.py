"""Every relative link of the README and docs/ leads somewhere: a file that exists and,
when the link names a heading (`file.md#heading`), a heading of that file. Every repo path
and dotted module name the pages quote as code names something that exists. Moving a page,
a module or a folder, or renaming a heading, breaks them silently otherwise."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
# A path from the repo root (or, for `models/` and `macros/`, from the dbt project's), and a
# dotted name in one of the repo's packages, wherever a page quotes code.
REPO_PATH = re.compile(
    r"(?<![\w/.-])(?:orchestration|dashboards|dbt_project|seeds|tests|docs|deploy|benchmarks"
    r"|models|macros)/[\w./*-]*(?:\{[\w.,]+\}[\w./*-]*)*"
)
BRACES = re.compile(r"\{([^{}]*)\}")
DOTTED_NAME = re.compile(r"(?<![\w/.-])(?:orchestration|dashboards)(?:\.\w+)+")
DBT_RELATIVE = ("models/", "macros/")


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    lines, in_fence = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            in_fence = not in_fence
        elif not in_fence:
            lines.append(line)
    return lines


def anchors(page: Path) -> set[str]:
    """The heading anchors GitHub gives a page: lower case, punctuation dropped, spaces
    as hyphens, a repeated heading numbered from -1."""
    seen: Counter[str] = Counter()
    found = set()
    for line in prose_lines(page.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).lower()).replace(" ", "-")
        found.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
        seen[slug] += 1
    return found


def quoted_code(text: str) -> tuple[list[str], list[str]]:
    """The code a page quotes: its inline code outside fences, and the lines inside them."""
    inline, fenced, in_fence = [], [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            in_fence = not in_fence
        elif in_fence:
            fenced.append(line)
        else:
            inline += [span.strip("`") for span in INLINE_CODE.findall(line)]
    return inline, fenced


def expand(path: str) -> list[str]:
    """`models/x.{sql,yml}` as `models/x.sql` and `models/x.yml`."""
    found = BRACES.search(path)
    if found is None:
        return [path]
    return [expanded for choice in found.group(1).split(",")
            for expanded in expand(path[: found.start()] + choice + path[found.end():])]


def path_exists(path: str, root: Path = ROOT) -> bool:
    if path.startswith(DBT_RELATIVE):
        path = f"dbt_project/{path}"
    return all(any(root.glob(one)) if "*" in one else (root / one).exists()
               for one in expand(path))


def _defines(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    if isinstance(node, ast.Import | ast.ImportFrom):
        return any((a.asname or a.name.split(".")[0]) == name for a in node.names)
    return False


def name_exists(dotted: str, root: Path = ROOT) -> bool:
    """A module or package of the repo, or a name defined in one (`module.function`,
    `module.Class.attribute`), found without importing anything."""
    parts = dotted.split(".")
    for depth in range(len(parts), 0, -1):
        base = root.joinpath(*parts[:depth])
        module = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if module.exists():
            break
    else:
        return False
    body = ast.parse(module.read_text(encoding="utf-8")).body
    for name in parts[depth:]:
        node = next((n for n in body if _defines(n, name)), None)
        if node is None:
            return False
        body = getattr(node, "body", [])
    return True


def missing_names(page: Path, root: Path = ROOT) -> list[str]:
    """The repo paths a page quotes as code, and the dotted names it quotes inline, that
    name nothing. (Fenced blocks hold configuration too, where `dashboards.example.org`
    is a host.)"""
    inline, fenced = quoted_code(page.read_text(encoding="utf-8"))
    paths = [p.rstrip(".") for code in inline + fenced for p in REPO_PATH.findall(code)]
    missing = [p for p in paths if not path_exists(p, root)]
    missing += [n for code in inline for n in DOTTED_NAME.findall(code)
                if not name_exists(n, root)]
    return sorted(set(missing))


def relative_links(page: Path) -> list[str]:
    return [
        target
        for line in prose_lines(page.read_text(encoding="utf-8"))
        for target in LINK.findall(INLINE_CODE.sub("", line))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in relative_links(page):
        path, _, fragment = target.partition("#")
        destination = (page.parent / unquote(path)).resolve() if path else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
            broken.append(f"{target}: no heading #{fragment} in {destination.name}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_checker_sees_links_anchors_and_code(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# A page: its `name`\n\n## Again\n\n## Again\n\n"
        "[here](page.md#a-page-its-name) ![shot](img/x.png \"title\") [web](https://x.org)\n"
        "`[not](a-link.md)`\n\n```\n[nor](this.md)\n# not a heading\n```\n",
        encoding="utf-8",
    )
    assert relative_links(page) == ["page.md#a-page-its-name", "img/x.png"]
    assert anchors(page) == {"a-page-its-name", "again", "again-1"}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_repo_path_and_module_quoted_exists(page):
    missing = missing_names(page)
    assert not missing, f"{page.relative_to(ROOT)} names what is not in the repo: {missing}"


def test_the_checker_finds_paths_and_names_that_are_gone(tmp_path):
    (tmp_path / "orchestration" / "defs").mkdir(parents=True)
    (tmp_path / "orchestration" / "__init__.py").write_text("")
    (tmp_path / "orchestration" / "defs" / "__init__.py").write_text("")
    (tmp_path / "orchestration" / "defs" / "resources.py").write_text(
        "class PlatformSettings:\n    landing_dir: str\n\ndef build_resources(): ...\n"
    )
    (tmp_path / "dbt_project" / "macros").mkdir(parents=True)
    (tmp_path / "dbt_project" / "macros" / "ratio.sql").write_text("")
    page = tmp_path / "page.md"
    page.write_text(
        "`orchestration/defs/resources.py` and `orchestration/cli.py`; "
        "`macros/ratio.sql`, `macros/gone.sql`, `orchestration/defs/*.py`, "
        "`macros/{ratio,gone}.sql`, `dbt_project/macros/ratio.{sql}`.\n"
        "`orchestration.defs.resources.build_resources`, "
        "`orchestration.defs.resources.PlatformSettings.landing_dir`, "
        "`orchestration.defs.resources.Paths`, `orchestration.definitions`.\n"
        "orchestration/gone.py outside code, [a link](orchestration/gone.md)\n"
        "```\n3  orchestration/defs/   the wiring\n6  orchestration/cli/    the commands\n"
        "dashboards.example.org {\n```\n",
        encoding="utf-8",
    )
    assert missing_names(page, tmp_path) == [
        "macros/gone.sql", "macros/{ratio,gone}.sql", "orchestration.definitions", "orchestration.defs.resources.Paths",
        "orchestration/cli.py", "orchestration/cli/",
    ]
