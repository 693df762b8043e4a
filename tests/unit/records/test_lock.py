"""The dependency lock: complete for pyproject's dependencies, and checked at run time."""

import re
import tomllib
from importlib import metadata, resources
from pathlib import Path

from rex_cli.records import rundir
from rex_cli.records.rundir import read_lock

ROOT = Path(__file__).resolve().parents[3]


def _name(req: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0]).lower()


def test_the_lock_pins_every_dependency_and_dev_tool_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = read_lock(resources.files("rex_cli").joinpath("lock.txt").read_text())
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    missing = sorted(_name(r) for r in wanted if _name(r) not in lock)
    assert not missing, f"rex_cli/lock.txt lacks {missing}: refresh it (README, 'The lock')"
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", v) for v in lock.values())


def test_read_lock_parses_pip_compile_lines():
    text = (
        "# header\n"
        "Hydra_Core==1.3.8        # via rex-cli\n"
        "numpy==2.4.6 ; python_version >= '3.11'\n"
        "    # via pandas\n"
        "--extra-index-url x\n"
        "pandas[pyarrow]==3.1.1\n"
    )
    assert read_lock(text) == {"hydra-core": "1.3.8", "numpy": "2.4.6", "pandas": "3.1.1"}


def test_lock_status_names_a_package_whose_installed_version_differs(monkeypatch):
    real_version = metadata.version

    def fake_version(name: str) -> str:
        return "0.0.1" if name == "numpy" else real_version(name)

    monkeypatch.setattr(rundir.metadata, "version", fake_version)
    rundir.lock_status.cache_clear()
    try:
        status = rundir.lock_status()
    finally:
        rundir.lock_status.cache_clear()
    assert status["locked"] is False
    assert status["differs"]["numpy"].startswith("0.0.1 (lock: ")
