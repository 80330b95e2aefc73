"""Every package of ours is declared in the layering: a line in the README's layout section and, for a domain
package, a place in import-linter's contracts. A package missing from them is not checked at all (import-linter
only looks at the modules a contract names), so a new package must be added to both when it is made."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p.parent.name for p in (ROOT / "src" / "vitnemal").glob("*/__init__.py"))
# Entry points and tools: they may import the domain (the contracts keep the domain from importing them).
NOT_DOMAIN = {"cli", "web", "staffpages", "casepages", "admissionpages", "demo", "devtools", "bench", "testidp",
              "migrations"}


def _contracts() -> dict[str, list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["name"]: c["source_modules"] for c in config["tool"]["importlinter"]["contracts"]}


def test_every_package_has_a_line_in_the_readme_layout() -> None:
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1]
    missing = [name for name in PACKAGES if f"{name}/" not in layout]
    assert missing == [], f"add a line for {missing} to the README's layout section (what it owns, may import)"


def test_every_domain_package_is_kept_from_the_entry_points_and_the_benchmarks() -> None:
    checked = {name: sources for name, sources in _contracts().items()
               if name.startswith(("Domain packages never import", "Nothing but the bench command"))}
    assert len(checked) == 2, "the two contracts over the domain packages were renamed: update this test"
    for name, sources in checked.items():
        missing = [p for p in PACKAGES if p not in NOT_DOMAIN and f"vitnemal.{p}" not in sources]
        assert missing == [], f"contract {name!r} in pyproject.toml does not check {missing}"


# A domain package's entry points (its HTTP routes and pages, the portal's app, background tasks) stand on the web
# framework; the rest of it (services, rules, workers) must run without one (issue 12 #5: exchange needed FastAPI
# only for run_in_threadpool). import-linter does not look at external packages here, so this test does.
ENTRY_MODULES = {"routes", "app", "recipient", "tasks"}


def test_domain_code_outside_its_entry_points_does_not_import_the_web_framework() -> None:
    import ast

    found = []
    for name in PACKAGES:
        if name in NOT_DOMAIN:
            continue
        for module in sorted((ROOT / "src" / "vitnemal" / name).rglob("*.py")):
            if module.stem in ENTRY_MODULES:
                continue
            for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                found += [f"{module.relative_to(ROOT)} imports {n}" for n in names
                          if n.split(".")[0] in ("fastapi", "starlette")]
    assert found == [], found
