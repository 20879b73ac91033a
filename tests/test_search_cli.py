"""`rome_search` from the shell: a tiny real run, then every kind of bad input.

Each bad input must give one line `error: ...` naming the value on stderr (no traceback), a non-zero exit code,
and leave the files of an existing run untouched."""
import os, shutil, subprocess, sys
from pathlib import Path
import pytest
from cli import cli_cmd, quiet_env, assert_one_line_error

TINY = ['--preset', 'quick', '--k', '1', '--epochs', '1', '--batch-size', '32', '--channels', '4', '--layers', '3',
        '--limit', '128', '--quiet']

def _cmd(): return cli_cmd('rome_search', 'rome_nb.search')

def _env(): return quiet_env()

def _start(args, cwd):
    return subprocess.Popen(_cmd() + list(args), cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def _wait(p, timeout=120):
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err

_check_error = assert_one_line_error

RUN = Path('runs/search-quick-rome-v2-s1-digits-seed0')

@pytest.fixture(scope='module')
def done(tmp_path_factory):
    "A finished tiny run in the default run folder under a fresh working directory"
    cwd = tmp_path_factory.mktemp('cli')
    code, out, err = _wait(_start(TINY, cwd))
    assert code == 0, err
    return cwd, out

def test_tiny_run(done):
    cwd, out = done
    run = cwd/RUN
    for f in ('config.json', 'checkpoint.pt', 'log.jsonl', 'genotype.json', 'collapse.png', 'genotype.png'):
        assert (run/f).is_file(), f
    for s in ('genotype  normal:', 'skip-connections', 'validation accuracy', f'run folder: {RUN}'): assert s in out, out
    from rome_nb.genotype import Genotype
    Genotype.from_json((run/'genotype.json').read_text())

def test_bad_inputs(done, tmp_path):
    cwd, _ = done
    run = cwd/RUN
    before = {f: (run/f).read_bytes() for f in ('checkpoint.pt', 'log.jsonl', 'genotype.json', 'config.json')}
    bad = shutil.copytree(run, tmp_path/'bad')
    (bad/'checkpoint.pt').write_bytes(b'\x00garbage')
    cases = [  # (args, what the one line must say)
        (['--space', 's9'], ["unknown space 's9'", 's0, darts, s1']),
        (['--method', 'enas'], ["unknown method 'enas'", 'rome-v2']),
        (['--dataset', 'mnist9'], ["unknown dataset 'mnist9'", 'cifar10']),
        (['--preset', 'fast'], ["unknown preset 'fast'", 'paper, quick']),
        (['--k', '0'], ['k must be an integer >= 1, got 0']),
        (['--tau-min', '0'], ['tau_min must be a finite number > 0, got 0.0']),
        (['--tau-max', '-1'], ['tau_max must be a finite number > 0, got -1.0']),
        (['--epochs', '0'], ['epochs must be an integer >= 1, got 0']),
        ([], ['already holds a run', '--resume']),                                   # a folder holding another run
        (['--resume', '--epochs', '2'], ['config differs in epochs (saved 1, given 2)']),
        (['--resume', '--out', str(tmp_path/'empty')], ['cannot resume: no run in']),  # missing run / checkpoint
        (['--resume', '--out', str(bad)], ['is corrupt or not a rome_nb checkpoint']),
        (['--lr', '1e35', '--out', str(tmp_path/'nan')], ['loss (nan) at epoch 1, batch']),  # NaN stops the run
        (['--device', 'tpu', '--out', str(tmp_path/'dev')], ["unknown device 'tpu'"]),
    ]
    for i in range(0, len(cases), 4):                 # a few at a time: each process imports torch
        procs = [(args, needles, _start(TINY + args, cwd)) for args, needles in cases[i:i + 4]]
        for args, needles, p in procs: _check_error(_wait(p), *needles, code=1 if '--lr' in args else 2)   # a run that broke: 1
    for f, b in before.items(): assert (run/f).read_bytes() == b, f'{f} was overwritten'
    assert (bad/'checkpoint.pt').read_bytes() == b'\x00garbage'

def test_help(tmp_path):
    code, out, err = _wait(_start(['--help'], tmp_path))
    assert code == 0 and '--preset' in out and '--resume' in out, (out, err)
