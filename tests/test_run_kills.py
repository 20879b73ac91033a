"""A run killed at a scripted instant of its first epoch's writes (tests/crash.py), then resumed with `--resume`, ends
exactly like an uninterrupted run: the same genotype.json and model.pt, the same log but for the wall-clock fields.
Whatever the instant, the log never claims an epoch that the checkpoint does not hold, and a full disk is one line.

Shorthand of the issue: T = rome_search --preset quick --epochs 1 --limit 64 --layers 2 --channels 4 (here 2 epochs),
TT = the same for rome_train with --layers 3."""
import json, signal, subprocess, sys
from pathlib import Path
import pytest, torch
from cli import ROOT, cli_cmd, quiet_env, assert_one_line_error

T = ['--preset', 'quick', '--epochs', '2', '--limit', '64', '--layers', '2', '--channels', '4', '--quiet', '--device', 'cpu']
TT = ['--preset', 'quick', '--epochs', '2', '--limit', '64', '--layers', '3', '--channels', '4', '--quiet', '--device', 'cpu']
ARGS = {'rome_search': T, 'rome_train': TT}
CLOCK = {'rome_search': 'epoch_time', 'rome_train': 'time_s'}     # wall-clock fields: the only ones that may differ

def run(script, *args, crash=None):
    cmd = [sys.executable, str(ROOT/'tests'/'crash.py'), *crash, script] if crash else cli_cmd(script)
    p = subprocess.run(cmd + [str(a) for a in args], env=quiet_env(), capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr

def log(folder):
    p = Path(folder)/'log.jsonl'
    return [json.loads(l) for l in p.read_text().splitlines() if l.strip().endswith('}')] if p.exists() else []

def checkpoint_epoch(folder):
    p = Path(folder)/'checkpoint.pt'
    return torch.load(p, weights_only=True)['epoch'] if p.exists() else 0

def no_clock(recs, script): return [{k: v for k, v in r.items() if k != CLOCK[script]} for r in recs]

@pytest.fixture(scope='module')
def reference(tmp_path_factory):
    "Uninterrupted runs"
    out = {}
    for script in ARGS:
        out[script] = tmp_path_factory.mktemp('ref')/script
        code, _, err = run(script, *ARGS[script], '--out', out[script])
        assert code == 0, err
    return out

def assert_same_end(folder, ref, script):
    assert [r['epoch'] for r in log(folder)] == [1, 2]
    assert no_clock(log(folder), script) == no_clock(log(ref), script)
    assert (Path(folder)/'genotype.json').read_bytes() == (ref/'genotype.json').read_bytes()
    if script == 'rome_train': assert (Path(folder)/'model.pt').read_bytes() == (ref/'model.pt').read_bytes()
    assert not list(Path(folder).glob('.*.tmp')) and not (Path(folder)/'.lock').exists()

@pytest.mark.parametrize('script,mode,file', [
    ('rome_search', 'half', 'checkpoint.pt'),            # inside the first checkpoint write: half of it written
    ('rome_search', 'before-rename', 'checkpoint.pt'),   # inside the first checkpoint write: whole, not yet in place
    ('rome_search', 'after', 'checkpoint.pt'),           # the checkpoint is in place, its epoch not yet logged
    ('rome_search', 'half', 'log.jsonl'),                # half a log line
    ('rome_search', 'before-rename', 'collapse.png'),    # during the plots
    ('rome_train', 'before-rename', 'checkpoint.pt'),
])
def test_killed_in_the_first_epoch_resumes(tmp_path, reference, script, mode, file):
    out = tmp_path/'run'
    code, _, err = run(script, *ARGS[script], '--out', out, crash=(mode, file))
    assert code == -signal.SIGKILL, (code, err)
    assert len(log(out)) <= checkpoint_epoch(out) <= 1         # the log never claims more than the checkpoint holds
    code, _, err = run(script, *ARGS[script], '--out', out, '--resume')
    assert code == 0, err
    assert_same_end(out, reference[script], script)

@pytest.mark.parametrize('script', ['rome_search', 'rome_train'])
def test_full_disk_at_the_first_checkpoint(tmp_path, reference, script):
    out = tmp_path/'run'
    res = run(script, *ARGS[script], '--out', out, crash=('enospc', 'checkpoint.pt'))
    assert_one_line_error(res, f"no space left on device writing '{out/'checkpoint.pt'}' (needs about ", ' free); ')
    assert log(out) == [] and not (out/'checkpoint.pt').exists() and not list(out.glob('.*.tmp'))
    code, _, err = run(script, *ARGS[script], '--out', out, '--resume')
    assert code == 0, err
    assert_same_end(out, reference[script], script)

def test_readme_says_what_a_resumed_run_keeps():
    text = ' '.join((ROOT/'README.md').read_text().split())
    assert ("a killed and resumed run ends with the same `genotype.json`, `model.pt`, checkpoint weights and logged numbers "
            "as an uninterrupted one; only the wall-clock times in `log.jsonl` (`epoch_time`, `time_s`) differ") in text
