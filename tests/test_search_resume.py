"""Kill `rome_search` with SIGKILL in the middle of an epoch, resume it, and get bit for bit the α, β and genotype
of a search that was never interrupted (CPU)."""
import json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch

EPOCHS = 3
ARGS = ['--preset', 'quick', '--k', '2', '--epochs', str(EPOCHS), '--batch-size', '16', '--channels', '4',
        '--layers', '3', '--limit', '640', '--seed', '5', '--quiet']

from cli import cli_cmd, quiet_env

def _cmd(): return cli_cmd('rome_search')

ENV = quiet_env()

def _start(out, *extra):
    return subprocess.Popen(_cmd() + ARGS + ['--out', str(out), *extra], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)

def _log(out):
    p = Path(out)/'log.jsonl'
    if not p.exists(): return []
    return [json.loads(l) for l in p.read_text().splitlines() if l.strip().endswith('}')]

def _ckpt(out): return torch.load(Path(out)/'checkpoint.pt', map_location='cpu', weights_only=True)

def test_sigkill_mid_epoch_then_resume(tmp_path):
    full, killed = tmp_path/'full', tmp_path/'killed'
    ref = _start(full)                                   # the uninterrupted search, alongside
    victim = _start(killed)
    deadline = time.time() + 240
    # wait until epoch 1 is logged *and* checkpointed: the process is then inside epoch 2
    while not (_log(killed) and (killed/'checkpoint.pt').exists() and not (killed/'genotype.json').exists()):
        assert victim.poll() is None, f'search ended before it could be killed: {victim.communicate()}'
        assert time.time() < deadline, 'no finished epoch in time'
        time.sleep(0.05)
    time.sleep(0.3 * _log(killed)[0]['epoch_time'])    # well inside the next epoch
    assert victim.poll() is None, 'search finished before the kill; make the epochs longer'
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate()
    assert victim.returncode == -signal.SIGKILL
    ck = _ckpt(killed)
    assert 1 <= ck['epoch'] < EPOCHS, ck['epoch']        # killed mid-search, after at least one finished epoch
    assert len(_log(killed)) in (ck['epoch'], ck['epoch'] + 1)
    assert not (killed/'genotype.json').exists()

    res = subprocess.run(_cmd() + ARGS + ['--out', str(killed), '--resume'], env=ENV, capture_output=True, text=True, timeout=240)
    assert res.returncode == 0, res.stderr
    out, err = ref.communicate(timeout=240)
    assert ref.returncode == 0, err

    a, b = _ckpt(full), _ckpt(killed)
    assert a['epoch'] == b['epoch'] == EPOCHS
    assert sorted(a['arch']) == sorted(b['arch']) and len(a['arch']) == 4     # alphas and betas, normal and reduce
    for name in a['arch']: assert torch.equal(a['arch'][name], b['arch'][name]), name
    for name in a['model']: assert torch.equal(a['model'][name], b['model'][name]), name
    assert (full/'genotype.json').read_text() == (killed/'genotype.json').read_text()
    strip = lambda recs: [{k: v for k, v in r.items() if k != 'epoch_time'} for r in recs]
    assert strip(_log(full)) == strip(_log(killed))
    assert [r['epoch'] for r in _log(killed)] == list(range(1, EPOCHS + 1))
