"""PC-DARTS, SDARTS and SNAS: a search stopped after an epoch and resumed ends bit for bit where an uninterrupted one
does (CPU); SDARTS-ADV, whose hooks do the most, searches end to end from the `rome_search` command."""
import json, os, shutil, subprocess, sys
from pathlib import Path
import pytest, torch
from rome_nb.search import search

SETTING = dict(epochs=2, limit=32, batch_size=8, C=4, layers=3, seed=3, show_progress=False)
METHODS = ('pc-darts', 'sdarts-adv', 'snas')      # one per family (SDARTS-RS is ADV without the attack)

def _ckpt(out): return torch.load(Path(out)/'checkpoint.pt', map_location='cpu', weights_only=True)

@pytest.mark.parametrize('method', METHODS)
def test_stop_then_resume_equals_uninterrupted(tmp_path, method):
    full = search('quick', method=method, out=str(tmp_path/'full'), **SETTING)
    part = search('quick', method=method, out=str(tmp_path/'part'), stop_after=1, **SETTING)
    assert len(part.history) == 1 and not (tmp_path/'part'/'genotype.json').exists()
    done = search('quick', method=method, out=str(tmp_path/'part'), resume=True, **SETTING)
    a, b = _ckpt(tmp_path/'full'), _ckpt(tmp_path/'part')
    assert a['epoch'] == b['epoch'] == 2
    for name in a['arch']: assert torch.equal(a['arch'][name], b['arch'][name]), name
    for name in a['model']: assert torch.equal(a['model'][name], b['model'][name]), name
    assert full.genotype == done.genotype
    strip = lambda recs: [{k: v for k, v in r.items() if k != 'epoch_time'} for r in recs]
    assert strip(full.history) == strip(done.history)

def _cmd():
    exe = shutil.which('rome_search') or str(Path(sys.executable).parent/'rome_search')
    return [exe] if os.path.exists(exe) else [sys.executable, '-m', 'rome_nb.search']

def test_cli_searches(tmp_path, method='sdarts-adv'):
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'ROME_NO_PROGRESS': '1', 'MPLBACKEND': 'Agg'}
    r = subprocess.run(_cmd() + ['--preset', 'quick', '--method', method, '--epochs', '1', '--limit', '64', '--channels', '4',
                                 '--layers', '3', '--quiet', '--out', str(tmp_path/'run')], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f'search: {method} on digits' in r.stdout and 'genotype  normal:' in r.stdout
    g = json.loads((tmp_path/'run'/'genotype.json').read_text())
    assert len(g['normal']) == 8 and (tmp_path/'run'/'collapse.png').exists()
