"""Bad datasets from the shell: labels that would decide the class count, and files that are not datasets.

Each must give one line `error: ...` naming the bad value and what is allowed, a non-zero exit code, and no run folder.
The library-level checks of every case are in `nbs/07_data.ipynb`; these check that the CLIs pass them on as one line."""
import subprocess
import numpy as np
import pytest
from cli import cli_cmd, quiet_env, assert_one_line_error

def _images(n): return np.random.default_rng(0).integers(0, 256, (n, 8, 8, 3), dtype=np.uint8)

def _write(path, kind):
    x, y = _images(40), np.arange(40) % 10
    if kind == 'huge_label': np.savez(path, x=x, y=np.r_[y[:-1], 10**9])       # once: a traceback after trying to allocate ~0.5 TB
    elif kind == 'stray_label': np.savez(path, x=x, y=np.r_[y[:-1], 1000])    # once: a 1001-class model
    elif kind == 'one_class': np.savez(path, x=x, y=np.zeros(40, int))         # once: 100 % accuracy
    elif kind == 'garbage': path.write_bytes(bytes(range(256)) * 4)             # once: "pickled data"
    else: raise ValueError(kind)

CASES = [  # (CLI, file, what the one line must say)
    ('rome_search', 'huge_label', ["holds label 1000000000", "labels must be integers 0..C-1 where C = 11"]),
    ('rome_search', 'stray_label', ["holds label 1000;", "labels must be integers 0..C-1 where C = 11", "10 is missing"]),
    ('rome_search', 'one_class', ["holds only 1 class (0)", "expected at least 2 classes"]),
    ('rome_train', 'garbage', ["is not a .npz file (expected a zip archive with arrays x and y"]),
]

@pytest.mark.parametrize('script,kind,needles', CASES, ids=[f'{s}-{k}' for s, k, _ in CASES])
def test_bad_npz_is_one_line(tmp_path, script, kind, needles):
    f = tmp_path/f'{kind}.npz'; _write(f, kind)
    module = {'rome_search': 'rome_nb.search', 'rome_train': 'rome_nb.train'}[script]
    args = ['--dataset', str(f), '--out', str(tmp_path/'run'), '--device', 'cpu']
    r = subprocess.run(cli_cmd(script, module) + args, cwd=tmp_path, env=quiet_env(), capture_output=True, text=True, timeout=120)
    assert_one_line_error((r.returncode, r.stdout, r.stderr), f"'{f}'", *needles)
    assert not (tmp_path/'run').exists()
