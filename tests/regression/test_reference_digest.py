"""Golden regression: a reference scenario's table digests are committed.

Any change to the model, the agents or the random streams changes them; update the
file deliberately with ``REX_UPDATE_GOLDEN=1 pytest tests/regression`` and say why in
the commit (that run writes the files and skips the comparison: a file compared with
itself proves nothing). The package versions it was made with are written beside it,
``reference_versions.json``; the digest itself does not depend on them (canonical
encoding, see ``rex_cli.records.digest``). The scenario is also re-run in a separate
process: identical digests.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rex_cli.config.load import load_config
from rex_cli.pipeline import execute_run
from rex_cli.records.digest import read_digest
from rex_cli.records.rundir import package_versions

GOLDEN = Path(__file__).with_name("reference_digest.txt")
VERSIONS = Path(__file__).with_name("reference_versions.json")
OVERRIDES = ["debug=tiny", "seed=11", "duration_hours=3", "output.figures=false"]


def _run(out: Path) -> dict[str, str]:
    cfg, raw = load_config(OVERRIDES)
    out.mkdir(parents=True)
    execute_run(cfg, raw, out, overrides=OVERRIDES, figures=False)
    return read_digest(out)


@pytest.fixture(scope="module")
def digest(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("golden") / "run")


def test_reference_scenario_matches_the_committed_digest(digest):
    if os.environ.get("REX_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text("".join(f"{v}  {k}\n" for k, v in digest.items()))
        versions = {k: v for k, v in package_versions().items() if k != "platform"}
        VERSIONS.write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
        pytest.skip("golden digest regenerated (REX_UPDATE_GOLDEN=1): nothing to compare")
    golden = dict(
        reversed(line.split(maxsplit=1)) for line in GOLDEN.read_text().splitlines() if line
    )
    made_with = json.loads(VERSIONS.read_text())
    assert digest == golden, f"golden digest made with {made_with}"


def test_another_process_gives_the_same_digest(digest, tmp_path):
    out = tmp_path / "child"
    here = str(Path(__file__).parent)
    code = (
        f"import sys; from pathlib import Path; sys.path.insert(0, {here!r}); "
        "from test_reference_digest import _run; "
        f"d = _run(Path({str(out)!r})); print(d['run'])"
    )
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert child.stdout.strip().splitlines()[-1] == digest["run"]


def test_the_joblib_launcher_gives_the_same_digest(digest, tmp_path):
    from rex_cli.sweep import run_sweep

    out = tmp_path / "sweep"
    # output=default: the same tables as the reference (sweeps default to output=minimal).
    res = run_sweep(["output=default", *OVERRIDES, "seed=11,12"], out, n_jobs=2)
    assert (res.jobs["status"] == "complete").all()
    job = next(p for p in out.glob("job_*") if "seed=11" in p.name)
    assert read_digest(job)["run"] == digest["run"]
