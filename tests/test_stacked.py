"""Stacked samples (`sample_batch` > 1) in the search: one step equals the sample-by-sample step from the same state (float64),
a stopped and resumed search ends bit for bit where an uninterrupted one does, and bad settings get one-line errors."""
import copy, os, shutil, subprocess, sys
from pathlib import Path
import pytest, torch
from rome_nb.supernet import SuperNet
from rome_nb.methods import build_supernet, get_method
from rome_nb.search import SearchConfig, search

def Strategy(net, **kw):
    "The method object a search builds for `net`, from its registered name."
    return get_method(net.method)(net, **kw)

def _pair(method, seed, **kw):
    torch.manual_seed(0)
    net = build_supernet(method, 's0', C=4, layers=4).double()
    with torch.no_grad():
        for p in net.arch_parameters(): p.normal_()
    nets = [net, copy.deepcopy(net)]
    return nets, [Strategy(n, k=5, epochs=3, seed=seed, sample_batch=sb, **kw) for n, sb in zip(nets, (1, 3))]

@pytest.mark.parametrize('method,seed', [('rome-v2', None), ('rome-v2', 7), ('rome-v1', 7), ('gdas', 7)])
def test_step_equals_sequential(method, seed):
    (a, b), (sa, sb) = _pair(method, seed)
    torch.manual_seed(1)
    tb = (torch.randn(6, 3, 8, 8, dtype=torch.float64), torch.randint(0, 10, (6,)))
    vb = (torch.randn(6, 3, 8, 8, dtype=torch.float64), torch.randint(0, 10, (6,)))
    torch.manual_seed(2); ra = sa.step(tb, vb)
    torch.manual_seed(2); rb = sb.step(tb, vb)
    for k in ra: assert abs(ra[k] - rb[k]) <= 2e-6 * max(1, abs(ra[k])), (k, ra[k], rb[k])   # reported in float32
    for (n, p), q in zip(a.named_parameters(), b.parameters()):
        assert (p.grad is None) == (q.grad is None), n
        if p.grad is not None: torch.testing.assert_close(q.grad, p.grad, rtol=1e-9, atol=1e-12, msg=n)
        torch.testing.assert_close(q, p, rtol=1e-9, atol=1e-12, msg=n)
    for (n, p), q in zip(a.named_buffers(), b.buffers()):
        torch.testing.assert_close(q.double(), p.double(), rtol=1e-9, atol=1e-12, msg=n)

SETTING = dict(epochs=2, limit=32, batch_size=8, C=4, layers=3, seed=3, k=3, show_progress=False)

def _ckpt(out): return torch.load(Path(out)/'checkpoint.pt', map_location='cpu', weights_only=True)

@pytest.mark.parametrize('method', ['rome-v2', 'rome-v1'])
def test_stop_then_resume_equals_uninterrupted(tmp_path, method):
    full = search('quick', method=method, out=str(tmp_path/'full'), sample_batch=2, **SETTING)
    search('quick', method=method, out=str(tmp_path/'part'), stop_after=1, sample_batch=2, **SETTING)
    done = search('quick', method=method, out=str(tmp_path/'part'), resume=True, sample_batch=2, **SETTING)
    a, b = _ckpt(tmp_path/'full'), _ckpt(tmp_path/'part')
    for name in a['arch']: assert torch.equal(a['arch'][name], b['arch'][name]), name
    for name in a['model']: assert torch.equal(a['model'][name], b['model'][name]), name
    assert full.genotype == done.genotype
    # a resumed run may change sample_batch (speed and memory only)
    search('quick', method=method, out=str(tmp_path/'other'), stop_after=1, sample_batch=1, **SETTING)
    search('quick', method=method, out=str(tmp_path/'other'), resume=True, sample_batch=3, **SETTING)

def test_bad_sample_batch():
    with pytest.raises(ValueError, match='sample_batch must be an integer >= 1, got 0'): SearchConfig(sample_batch=0)
    with pytest.raises(ValueError, match='sample_batch must be an integer >= 1, got 1.5'): Strategy(build_supernet('rome-v2', 's0', C=4, layers=3), sample_batch=1.5, epochs=1)
    with pytest.raises(ValueError, match='sample_batch=2 runs samples stacked, which this search cannot: space s4 has the noise op'):
        Strategy(build_supernet('rome-v2', 's4', C=4, layers=3), sample_batch=2, epochs=1)
    with pytest.raises(ValueError, match='NB1Shot1SearchNet runs one sample at a time'):
        Strategy(build_supernet('rome-v2', '1shot1-s1', C=4, layers=3), sample_batch=2, epochs=1)
    Strategy(build_supernet('rome-v2', 's4', C=4, layers=3), sample_batch=2, k=1, epochs=1)       # one sample: nothing is stacked, nothing refused
    Strategy(build_supernet('pc-darts', 's0', C=4, layers=3), sample_batch=2, epochs=1)

def _cmd():
    exe = shutil.which('rome_search') or str(Path(sys.executable).parent/'rome_search')
    return [exe] if os.path.exists(exe) else [sys.executable, '-m', 'rome_nb.search']

def test_cli(tmp_path):
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'ROME_NO_PROGRESS': '1', 'MPLBACKEND': 'Agg'}
    r = subprocess.run(_cmd() + ['--sample-batch', '0', '--out', str(tmp_path/'x')], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == ['error: sample_batch must be an integer >= 1, got 0'], r.stderr
    r = subprocess.run(_cmd() + ['--sample-batch', '2', '--epochs', '1', '--limit', '32', '--channels', '4', '--layers', '3',
                                 '--quiet', '--out', str(tmp_path/'run')], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (tmp_path/'run'/'genotype.json').exists()
