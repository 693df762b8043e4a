"""The Ray launcher on a local cluster (slow; needs the ``[ray]`` extra, in its own
environment because hydra-ray-launcher pins cloudpickle<3):

    python -m venv .venv-ray && . .venv-ray/bin/activate && pip install -e ".[ray]" pytest
    pytest -m slow tests/integration/test_sweep_ray.py
"""

import json

import pandas as pd
import pytest

pytest.importorskip("ray")
pytest.importorskip("hydra_plugins.hydra_ray_launcher")

from rex_cli.sweep import run_sweep


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")  # Ray's own deprecation and resource warnings
def test_ray_launcher_runs_every_job_on_a_local_cluster(tmp_path):
    out = tmp_path / "ray"
    res = run_sweep(["debug=tiny", "duration_hours=2", "seed=1,2", "hydra/launcher=ray"], out)
    assert (res.jobs["status"] == "complete").all() and len(res.jobs) == 2
    # Same results as in-process: the launcher changes where jobs run, not what they do.
    ref = run_sweep(
        ["debug=tiny", "duration_hours=2", "seed=1,2", "hydra/launcher=basic"], tmp_path / "b"
    )
    cols = ["seed", "trades", "volume_kwh"]
    a = res.jobs[cols].sort_values("seed").reset_index(drop=True)
    b = ref.jobs[cols].sort_values("seed").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert json.loads((out / "sweep.json").read_text())["status"] == "complete"
