"""The README's Python examples run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_order_book_example_runs_and_its_assertions_hold():
    blocks = [b for b in _python_blocks() if "OrderBook()" in b]
    assert len(blocks) == 1
    exec(compile(blocks[0], "README.md", "exec"), {})


def test_run_example_runs(tmp_path, monkeypatch):
    blocks = [b for b in _python_blocks() if "execute_run" in b]
    assert len(blocks) == 1
    monkeypatch.chdir(tmp_path)
    code = blocks[0].replace(
        '"debug=tiny", "seed=5"', '"debug=tiny", "seed=5", "output.figures=false"'
    )
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["result"].summary["trades"] > 0
    assert (tmp_path / "outputs" / "nb" / "summary.json").is_file()


def test_no_file_points_outside_the_repository():
    """Users get this repository only: docs and docstrings cite docs/model.md, nothing else."""
    root = README.parent
    outside = re.compile("|".join(["SPEC" + r"\.md", "ARCHITECTURE" + r"\.md", r"\.\./shared/"]))
    offenders = []
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if path.suffix not in {".py", ".md", ".yaml", ".toml", ".txt"} or not path.is_file():
            continue
        if parts[0].startswith(".") or parts[0] in {"build", "outputs", "multirun"}:
            continue
        if outside.search(path.read_text(encoding="utf-8", errors="replace")):
            offenders.append(str(path.relative_to(root)))
    assert not offenders
