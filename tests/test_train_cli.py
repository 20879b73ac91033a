"Error paths of the `rome_train` command: one clear line on stderr, exit status != 0, nothing overwritten."
import os, shutil, subprocess, sys
from pathlib import Path
import pytest
from cli import cli_cmd, quiet_env
TINY = ['--preset', 'quick', '--epochs', '1', '--layers', '3', '--channels', '4', '--batch-size', '32',
        '--limit', '64', '--device', 'cpu']

def run(*args, cwd=None):
    return subprocess.run(cli_cmd('rome_train') + list(map(str, args)), capture_output=True, text=True, env=quiet_env(), cwd=cwd, timeout=300)

def snapshot(folder): return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}

def assert_error(p, *needles):
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: '), p.stderr
    assert 'Traceback' not in p.stderr + p.stdout
    for n in needles: assert n in lines[0], lines[0]

@pytest.fixture(scope='module')
def done_run(tmp_path_factory):
    "A finished one-epoch run folder."
    out = tmp_path_factory.mktemp('cli')/'run'
    p = run(*TINY, '--out', out)
    assert p.returncode == 0, p.stderr
    assert (out/'checkpoint.pt').is_file() and (out/'model.pt').is_file()
    return out

@pytest.mark.parametrize('args,needles', [
    (['--preset', 'turbo'], ["unknown preset 'turbo'", 'darts, imagenet, rdarts, quick']),
    (['--preset', 'quick', '--dataset', 'mnist'], ["unknown dataset 'mnist'", 'cifar10']),
    (['--preset', 'quick', '--genotype', 'DARTS_V9'], ["unknown genotype 'DARTS_V9'", 'DARTS_V2']),
    (['--preset', 'quick', '--epochs', '0'], ['epochs must be an int >= 1; got 0']),
])
def test_bad_values(tmp_path, args, needles):
    p = run(*args, '--out', tmp_path/'out')
    assert_error(p, *needles)
    assert not (tmp_path/'out').exists()

def test_folder_holding_another_run(done_run):
    before = snapshot(done_run)
    assert_error(run(*TINY, '--out', done_run, '--seed', '3'), 'already holds a run', str(done_run))
    assert snapshot(done_run) == before

def test_resume_with_different_config(done_run):
    before = snapshot(done_run)
    assert_error(run(*TINY, '--out', done_run, '--resume', '--channels', '6'), 'config differs in channels (saved 4, given 6)')
    assert snapshot(done_run) == before

def test_resume_without_checkpoint(tmp_path):
    assert_error(run(*TINY, '--out', tmp_path/'none', '--resume'), 'cannot resume: no run in', '(no config.json)')
    assert not (tmp_path/'none').exists()

def test_resume_corrupt_checkpoint(done_run, tmp_path):
    bad = tmp_path/'bad'
    shutil.copytree(done_run, bad)
    (bad/'checkpoint.pt').write_bytes(b'\x00garbage')
    before = snapshot(bad)
    assert_error(run(*TINY, '--out', bad, '--resume'), 'is corrupt or not a rome_nb checkpoint')
    assert snapshot(bad) == before
