"""Second-order DARTS and the R-DARTS variants end to end: a search stopped after one epoch and resumed equals the
uninterrupted one (per method family), ADA's rollback survives a resume, and `rome_search --reg` checks its grid."""
import json, subprocess
import torch
import pytest
from rome_nb.search import search
from rome_nb.runs import load_checkpoint
from rome_nb.methods import register, method_names
from rome_nb.methods.rdarts import DARTSADAMethod
from cli import cli_cmd, quiet_env, assert_one_line_error

TINY = dict(epochs=2, limit=64, C=4, layers=3, batch_size=16)

def _same_run(a, b):
    "Both runs' α, θ, optimiser states, method state and logs agree exactly"
    ca, cb = load_checkpoint(a/'checkpoint.pt'), load_checkpoint(b/'checkpoint.pt')
    for k in ca['model']: assert torch.equal(ca['model'][k], cb['model'][k]), k
    assert ca['method']['extra'].keys() == cb['method']['extra'].keys()
    if 'es' in ca['method']['extra']:
        ea, eb = ca['method']['extra']['es'], cb['method']['extra']['es']
        assert (ea['epochs'], ea['evs'], ea['events']) == (eb['epochs'], eb['evs'], eb['events'])
    strip = lambda p: [{k: v for k, v in json.loads(l).items() if k != 'epoch_time'} for l in (p/'log.jsonl').read_text().splitlines()]
    assert strip(a) == strip(b)
    assert (a/'genotype.json').read_text() == (b/'genotype.json').read_text()

@pytest.mark.parametrize('method,reg', [('darts-2nd', None), ('rdarts-dp', 0.4), ('darts-ada', None)])
def test_resume_equals_uninterrupted(tmp_path, method, reg):
    full, part = tmp_path/'full', tmp_path/'part'
    search('quick', method=method, reg=reg, out=str(full), show_progress=False, **TINY)
    search('quick', method=method, reg=reg, out=str(part), show_progress=False, stop_after=1, **TINY)
    assert not (part/'genotype.json').exists()
    search('quick', method=method, reg=reg, out=str(part), show_progress=False, resume=True, **TINY)
    _same_run(full, part)

class ScriptedADA(DARTSADAMethod):
    "ADA on a scripted eigenvalue per epoch, measured every epoch (window 3, delta 1): triggers after epoch 4, back to 2"
    name, label = 'test-ada-scripted', 'scripted ADA'
    ev_freq, window, factor, es_start_epoch, delta = 1, 3, 1.3, 1, 1
    def eigenvalue(self): return [1., 1., 1., 1., 3., 3.][self.epoch]

def test_ada_rollback_resumes(tmp_path):
    if ScriptedADA.name not in method_names(): register(ScriptedADA)
    kw = dict(TINY, epochs=6, limit=32, method=ScriptedADA.name)
    full, part = tmp_path/'full', tmp_path/'part'
    search('quick', out=str(full), show_progress=False, **kw)
    log = [json.loads(l) for l in (full/'log.jsonl').read_text().splitlines()]
    # epochs 1..5 (0-based 0..4), back to after epoch 3 (0-based 2) twice, then 3 more epochs at the maximum weight decay
    assert [r.get('rolled_back_to') for r in log] == [None] * 4 + [3] + [None] + [3] + [None] * 3
    assert [r["epoch"] for r in log] == list(range(1, 11))           # epochs run, rollbacks included
    assert (full/'genotype.json').exists()
    search('quick', out=str(part), show_progress=False, stop_after=5, **kw)      # killed right after the first rollback
    search('quick', out=str(part), show_progress=False, resume=True, **kw)
    _same_run(full, part)

def test_cli_reg_grid(tmp_path):
    cmd = cli_cmd('rome_search', 'rome_nb.search')
    base = ['--preset', 'quick', '--epochs', '1', '--limit', '32', '--channels', '4', '--layers', '3', '--quiet']
    r = subprocess.run(cmd + base + ['--method', 'rdarts-l2', '--reg', '0.001', '--out', str(tmp_path/'a')],
                       env=quiet_env(), capture_output=True, text=True, timeout=120)
    assert_one_line_error((r.returncode, r.stdout, r.stderr), 'reg 0.001', 'rdarts-l2', '0.0081')
    r = subprocess.run(cmd + base + ['--method', 'darts', '--reg', '0.2', '--out', str(tmp_path/'b')],
                       env=quiet_env(), capture_output=True, text=True, timeout=120)
    assert_one_line_error((r.returncode, r.stdout, r.stderr), "'darts' takes no reg")
    assert not (tmp_path/'a').exists() and not (tmp_path/'b').exists()
    r = subprocess.run(cmd + base + ['--method', 'rdarts-l2', '--reg', '8.1e-3', '--out', str(tmp_path/'c')],
                       env=quiet_env(), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ck = load_checkpoint(tmp_path/'c'/'checkpoint.pt')
    assert ck['method']['w_opt']['param_groups'][0]['weight_decay'] == 8.1e-3
