"""Two CPU processes (gloo) against one: the sample-split search keeps α, β and the genotype identical on every rank
after every step and equals the single-process search; DDP training keeps the weights identical after every step and
equals its single-process twin; the commands run under torchrun. Run with `pytest -s` to see the figures."""
import os, shutil, subprocess, sys, time
from dataclasses import asdict
from pathlib import Path
import pytest, torch
from rome_nb.distributed import spawn_local
from dist_probes import run_checks, search_replay, micro_batch_reference, fail_on_rank
from rome_nb.search import search, SearchConfig
from rome_nb.train import TrainConfig, get_preset, evaluate, resolve_genotype, _build_model
from rome_nb.data import eval_loaders
from rome_nb.runs import load_checkpoint

pytestmark = pytest.mark.skipif(not torch.distributed.is_available(), reason='torch.distributed is not available')

# probe: K = 4 samples over 2 ranks (rank 0: k = 0, 2; rank 1: k = 1, 3), 2 epochs of 4 steps on 128 digits
PROBE = dict(preset='quick', dataset='digits', space='s0', method='rome-v2', k=4, epochs=2, batch_size=16, channels=4, layers=3,
             limit=128, seed=1, device='cpu')
# search(): K = 2 over 2 ranks, one sample each: the sum over ranks is the single process' sum, exactly
SEARCH = {**PROBE, 'k': 2, 'epochs': 1}
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'ROME_NO_PROGRESS': '1', 'MPLBACKEND': 'Agg'}

def _stats(k): return k.endswith(('running_mean', 'running_var', 'num_batches_tracked'))

@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    "One spawn of 2 processes: the collectives self-test, the step-by-step search probe, search(), train()"
    T = tmp_path_factory.mktemp('dist')
    tcfg = asdict(get_preset('quick', layers=3, channels=4, epochs=1, batch_size=32, limit=128, device='cpu',
                             drop_path_prob=0., out=str(T/'train-2')))
    t0 = time.time()
    two = spawn_local(run_checks, 2, args=(PROBE, {**SEARCH, 'out': str(T/'search-2')}, tcfg, True))
    print(f"\n2 gloo processes (collectives, search probe, search(), train()): {time.time() - t0:.1f} s")
    return T, tcfg, two

def test_collectives(runs):
    _, _, two = runs
    for r in two:
        assert r['collectives']['grads_equal_naive'] and r['collectives']['unused_grad_is_none']
        assert r['collectives']['caught'].startswith("ranks out of sync: architecture tensor 'alphas_normal' differs between rank 0 and rank 1")

def test_search_ranks_in_sync_and_equal_to_one_process(runs):
    _, _, two = runs
    p0, p1 = two[0]['probe']['steps'], two[1]['probe']['steps']
    assert len(p0) == len(p1) == 8
    # (a) identical on both ranks after every step (also asserted inside the processes by check_in_sync after each step)
    for a, b in zip(p0, p1):
        assert a['batches'] == b['batches'] and a['genotype'] == b['genotype']
        for k in ('arch', 'weights', 'arch_grad', 'weight_grad', 'arch_has_grad', 'weight_has_grad'): assert torch.equal(a[k], b[k]), k
    # (b) each step equals the single-process step taken FROM THE SAME STATE (the state the ranks started that step
    # from), up to the order of float additions: (g0 + g2) + (g1 + g3) on 2 ranks, ((g0 + g1) + g2) + g3 in one process.
    # Comparing whole runs instead would let rounding differences grow until a near-tie in a Gumbel top-k flips.
    rep = search_replay(PROBE, two[0]['probe'])
    assert len(rep) == 8
    fmt = lambda k: [f"{r[k]:.0e}" for r in rep]
    print(f"search probe (K=4), 2 processes vs 1 from the same state, per step: relative |Δ∇α,β| {fmt('d_arch_grad')}; "
          f"relative |Δ∇θ| {fmt('d_weight_grad')}; "
          f"|Δα,β| {max(r['d_arch'] for r in rep):.1e}; |Δθ| {max(r['d_weights'] for r in rep):.1e}; "
          f"|Δ loss| {max(r['d_loss'] for r in rep):.1e}")
    for t, r in enumerate(rep, 1):
        assert r['same_batches'] and r['same_grad_presence'] and r['same_genotype'], t      # discrete: exact
        assert r['d_arch_grad'] < 1e-5 and r['d_weight_grad'] < 1e-5, (t, r['d_arch_grad'], r['d_weight_grad'])   # the reduced sums
        assert r['d_arch'] < 1e-5 and r['d_weights'] < 1e-6, (t, r['d_arch'], r['d_weights'])   # one optimiser step on them
        assert r['d_loss'] < 1e-5 and r['d_acc'] < 1e-6, (t, r['d_loss'], r['d_acc'])

def test_search_function_checkpoint(runs):
    T, _, two = runs
    res = search(SearchConfig(**{**SEARCH, 'out': str(T/'search-1')}), show_progress=False)
    c1, c2 = load_checkpoint(T/'search-1'/'checkpoint.pt'), load_checkpoint(T/'search-2'/'checkpoint.pt')
    d_arch = max((c1['arch'][k] - c2['arch'][k]).abs().max().item() for k in c1['arch'])
    d_w = max((c1['model'][k] - c2['model'][k]).abs().max().item() for k in c1['model'] if not _stats(k))
    print(f"search() (K=2), 2 processes vs 1: checkpoint max |Δα,β| {d_arch}, max |Δθ| {d_w}")
    assert d_arch == 0 and d_w == 0
    assert (T/'search-1'/'genotype.json').read_text() == (T/'search-2'/'genotype.json').read_text()
    assert res.genotype.to_json() == two[0]['search']['genotype'] == two[1]['search']['genotype']
    assert c2['method']['t'] == 4

def test_ddp_training(runs):
    T, tcfg, two = runs
    tr = [r['train'] for r in two]
    assert [t['steps_checked'] for t in tr] == [4, 4]          # weights identical on both ranks after each of the 4 steps
    assert tr[0]['history'] == [{**h, 'time_s': tr[0]['history'][i]['time_s']} for i, h in enumerate(tr[1]['history'])]
    ref = micro_batch_reference(tcfg, 2)                        # 1 process, the 2 rank shards as micro-batches
    ck = load_checkpoint(T/'train-2'/'checkpoint.pt')
    d = max((ck['model'][k] - ref[k]).abs().max().item() for k in ref if not _stats(k))
    c = TrainConfig(**tcfg)
    _, test_full, info = eval_loaders(c.dataset, batch_size=64, seed=c.seed, limit=c.limit)
    net = _build_model(c, resolve_genotype(c.genotype), info); net.load_state_dict(ck['model'])
    whole = evaluate(net, test_full)
    print(f"DDP training, 2 processes vs 1 process with 2 micro-batches: max |Δθ| {d:.2e}; test acc "
          f"{tr[0]['history'][0]['test_acc']:.4f} (2 shards) vs {whole['test_acc']:.4f} (whole)")
    assert d < 1e-5
    assert tr[0]['history'][0]['test_acc'] == whole['test_acc']
    assert abs(tr[0]['history'][0]['test_loss'] - whole['test_loss']) < 1e-5

def _torchrun():
    exe = shutil.which('torchrun') or str(Path(sys.executable).parent/'torchrun')
    return [exe] if os.path.exists(exe) else [sys.executable, '-m', 'torch.distributed.run']

def test_rome_search_under_torchrun(tmp_path):
    args = ['--preset', 'quick', '--space', 's0', '--k', '2', '--epochs', '1', '--batch-size', '16', '--channels', '4',
            '--layers', '3', '--limit', '64', '--seed', '2', '--device', 'cpu', '--quiet', '--sync-every', '1']
    t0 = time.time()
    p = subprocess.run(_torchrun() + ['--standalone', '--nproc_per_node=2', '-m', 'rome_nb.search', *args, '--out', str(tmp_path/'tr')],
                       env=ENV, capture_output=True, text=True, timeout=120)
    print(f"torchrun --nproc_per_node=2 -m rome_nb.search: {time.time() - t0:.1f} s")
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.count('genotype  normal:') == 1, p.stdout          # only rank 0 prints
    one = subprocess.run([sys.executable, '-m', 'rome_nb.search', *args, '--out', str(tmp_path/'one')], env=ENV,
                         capture_output=True, text=True, timeout=120)
    assert one.returncode == 0, one.stderr[-3000:]
    assert (tmp_path/'tr'/'genotype.json').read_text() == (tmp_path/'one'/'genotype.json').read_text()

def test_spawn_local_reports_a_failed_rank():
    from rome_nb.distributed import sample_seed
    with pytest.raises(RuntimeError, match=r"(?s)rank \d exited with status 1.*step must be an int >= 0, got -1"):
        spawn_local(sample_seed, 2, args=(0, -1, 0, 0))
    with pytest.raises(ValueError, match='fn must be a module-level function'):
        spawn_local(lambda: 0, 2)

def test_spawn_local_names_the_rank_that_failed_not_one_it_killed():
    with pytest.raises(RuntimeError, match=r"(?s)^spawn_local: rank 1 exited with status 1.*rank 1 fails on purpose"):
        spawn_local(fail_on_rank, 2, args=(1,))                    # rank 0, still sleeping, is killed (-9): not the culprit
