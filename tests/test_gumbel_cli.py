"""The `rome_gumbel` console script (exported from nbs/01_gumbel.ipynb), run as a real subprocess."""
import os, re, shutil, subprocess, sys
from pathlib import Path

import pytest

from cli import cli_cmd, quiet_env

def _cmd(): return cli_cmd('rome_gumbel')

def run(*args):
    env = quiet_env()
    return subprocess.run(_cmd() + list(args), capture_output=True, text=True, timeout=120, env=env)

ROW = re.compile(r'^\s*(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([+-]\d+\.\d+)$')

def rows(out):
    return [tuple(float(x) for x in m.groups()) for m in map(ROW.match, out.splitlines()) if m]

def test_default_table():
    r = run('--n', '20000')
    assert r.returncode == 0, r.stderr
    assert 'Gumbel-Top2' in r.stdout and 'empirical' in r.stdout
    rs = rows(r.stdout)
    assert [int(x[0]) for x in rs] == [0, 1, 2, 3, 4]
    assert sum(x[1] for x in rs) == pytest.approx(1.0)
    assert sum(x[2] for x in rs) == pytest.approx(2.0, abs=1e-5)      # exact inclusions sum to k
    assert all(abs(x[4]) < 4.5 for x in rs)
    assert 'consistent' in r.stdout and 'INCONSISTENT' not in r.stdout

def test_options():
    r = run('--k', '3', '--n', '20000', '--seed', '1', '--probs', '0.4,0.3,0.2,0.1,0')
    assert r.returncode == 0, r.stderr
    assert 'Gumbel-Top3' in r.stdout and 'seed 1' in r.stdout
    rs = rows(r.stdout)
    assert len(rs) == 5 and rs[4][2] == 0.0 and rs[4][3] == 0.0     # p = 0: never drawn
    assert sum(x[2] for x in rs) == pytest.approx(3.0, abs=1e-5)

@pytest.mark.parametrize('args, msg', [
    (['--probs', 'a,b'], "--probs must be comma-separated numbers, got 'a,b'"),
    (['--probs', '0.5,0.6'], 'p must sum to 1'),
    (['--probs', '0.5,-0.5,1'], 'p must be finite and >= 0'),
    (['--k', '0'], 'k must be an int in 1..5, got 0'),
    (['--k', '3', '--probs', '0.5,0.5,0'], 'k=3 exceeds the number of items with p > 0 (2)'),
    (['--n', '0'], 'n must be an int >= 1, got 0'),
])
def test_bad_values_one_line_error(args, msg):
    r = run(*args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1, r.stderr
    assert err[0].startswith('error:') and msg in err[0], err[0]
    assert 'Traceback' not in r.stderr and r.stdout == ''
