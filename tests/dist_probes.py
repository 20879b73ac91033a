"""Multi-process test probes for `rome_nb.distributed`, run by `spawn_local` in every rank (and in one process for the
reference). They live with the tests, not in the library: they drive `search` and `train`, which sit above the
collectives. `spawn_local` children import this module by name; the tests folder is on their `PYTHONPATH` because
`spawn_local` passes the parent's `sys.path` (conftest.py puts this folder there)."""
import copy, time
import torch, torch.nn as nn
import torch.distributed as dist
from rome_nb.distributed import (rank, world_size, barrier, broadcast_parameters, all_reduce_grads, check_in_sync,
                                 tensor_digest)
from rome_nb.search import SearchConfig, search
from rome_nb.methods import build_supernet, get_method
from rome_nb.train import TrainConfig, train, check_config, resolve_genotype, _build_model, _loss, make_scheduler
from rome_nb.data import search_loaders, eval_loaders
from rome_nb.runs import seed_everything

__all__ = ['collectives_selftest', 'search_probe', 'search_replay', 'run_checks', 'train_probe', 'micro_batch_reference']

def collectives_selftest(timing:bool=True) -> dict:
    "Run on every rank of a job: checks broadcast_parameters, all_reduce_grads (against one all_reduce per tensor) and check_in_sync; returns what it found"
    r, W = rank(), world_size()
    torch.manual_seed(100 + r)                                           # every rank different on purpose
    net = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Linear(4, 3))
    extra, unused = nn.Linear(3, 3), nn.Linear(3, 3)
    params = list(net.parameters()) + list(extra.parameters()) + list(unused.parameters())
    before = [tensor_digest(p) for p in params]
    broadcast_parameters(nn.ModuleList([net, extra, unused]))
    check_in_sync(nn.ModuleList([net, extra, unused]), 'parameter')
    out = net(torch.randn(8, 5))
    if r == 1: out = extra(out)                                          # only rank 1 uses `extra`
    out.square().mean().backward()
    naive = []
    for p in params:                                                     # the reference: one message per tensor
        g = p.grad.clone() if p.grad is not None else torch.zeros_like(p)
        flag = torch.tensor([float(p.grad is not None)]); dist.all_reduce(g); dist.all_reduce(flag)
        naive.append(g if flag.item() else None)
    all_reduce_grads(params)
    same = all((p.grad is None and g is None) or (p.grad is not None and g is not None and torch.equal(p.grad, g))
               for p, g in zip(params, naive))
    check_in_sync([p.grad for p in params if p.grad is not None], 'gradient')
    alpha = torch.full((14, 7), 1e-3)
    if r == 1: alpha[3, 2] = torch.nextafter(alpha[3, 2], torch.tensor(1.))
    try: check_in_sync({'alphas_normal': alpha, 'genotype': '{}'}, 'architecture tensor'); caught = ''
    except RuntimeError as e: caught = str(e)
    res = dict(rank=r, world_size=W, differed_before=len(set(before) - {tensor_digest(p) for p in params}) > 0,
               grads_equal_naive=same, unused_grad_is_none=all(p.grad is None for p in unused.parameters()),
               extra_has_grad=all(p.grad is not None for p in extra.parameters()), caught=caught)
    if timing:
        torch.manual_seed(0)
        big = list(build_supernet('rome-v2', 's0', C=16, layers=8).parameters())
        for p in big: p.grad = torch.randn_like(p)
        def t(f, n=3):
            barrier(); t0 = time.perf_counter()
            for _ in range(n): f()
            return (time.perf_counter() - t0) / n
        res.update(tensors=len(big), values=sum(p.numel() for p in big),
                   naive_s=t(lambda: [dist.all_reduce(p.grad) for p in big]), flat_s=t(lambda: all_reduce_grads(big)))
    return res

def _flat_grads(params) -> tuple:
    "(all gradients as one flat tensor, zeros where missing; the presence pattern as a bool tensor)"
    return (torch.cat([p.grad.detach().reshape(-1) if p.grad is not None else torch.zeros(p.numel(), dtype=p.dtype)
                       for p in params]).clone(), torch.tensor([p.grad is not None for p in params]))

def _stepper(cfg:dict):
    "Loaders, supernet and method exactly as `search()` builds them; the method records each phase's reduced gradient"
    c = SearchConfig(**cfg).resolved()
    seed_everything(c.seed)
    tr, va, info = search_loaders(c.dataset, c.batch_size, root=c.data_root, portion=c.portion, seed=c.seed, limit=c.limit)
    model = build_supernet(c.method, c.space, c.channels, c.layers, info.num_classes, info.channels, c.td)
    broadcast_parameters(model)
    grads = {}
    class Recording(get_method(c.method)):             # the gradient after the all-reduce, before clipping and the step
        def accumulate(self, phase, x, y, params, n, scale):
            out = super().accumulate(phase, x, y, params, n, scale)
            grads[phase] = _flat_grads(params)
            return out
    s = Recording(model, c)
    return c, tr, va, model, s, grads

def _steps(c, tr, va, s):
    "(epoch, train batch, val batch) in the order `search()` visits them"
    for epoch in range(c.epochs):
        s.new_epoch(epoch)
        for tb, vb in zip(tr, va): yield tb, vb
        s.end_epoch()

def _record(model, s, grads, tb, vb, metrics) -> dict:
    return dict(batches=tensor_digest(tb[0]) + tensor_digest(vb[0]), metrics=metrics, genotype=s.genotype().to_json(),
                arch=torch.cat([p.detach().reshape(-1) for p in model.arch_parameters()]).clone(),
                weights=torch.cat([p.detach().reshape(-1) for p in model.weight_parameters()]).clone(),
                arch_grad=grads[0][0], arch_has_grad=grads[0][1], weight_grad=grads[1][0], weight_has_grad=grads[1][1])

def search_probe(cfg:dict) -> dict:
    "Run on every rank (or in one process): the search `cfg` stepped as `search()` steps it, checking after every step that all ranks agree on α, β and the genotype; returns, per step, the state before it (model and strategy), the reduced gradients of both phases and the values after it"
    c, tr, va, model, s, grads = _stepper(cfg)
    names = {id(p): n for n, p in model.named_parameters()}
    steps = []
    for tb, vb in _steps(c, tr, va, s):
        pre = dict(model={k: v.detach().clone() for k, v in model.state_dict().items()}, method=copy.deepcopy(s.state_dict()))
        rec = _record(model, s, grads, tb, vb, s.step(tb, vb))
        check_in_sync({**{names[id(p)]: p for p in model.arch_parameters()}, 'genotype': rec['genotype']}, 'architecture value')
        steps.append(dict(pre=pre, **rec))
    check_in_sync(model.weight_parameters(), 'weight')
    return dict(rank=rank(), world_size=world_size(), steps=steps)

def search_replay(cfg:dict, probe:dict) -> list:
    "In one process: every step of `probe` (a `search_probe` of `cfg` on several ranks) taken again from the state the ranks started it from; returns per step the single-process record and how far the ranks' record is from it"
    c, tr, va, model, s, grads = _stepper(cfg)
    out = []
    for (tb, vb), theirs in zip(_steps(c, tr, va, s), probe['steps']):
        model.load_state_dict(theirs['pre']['model']); s.load_state_dict(copy.deepcopy(theirs['pre']['method']))
        mine = _record(model, s, grads, tb, vb, s.step(tb, vb))
        rel = lambda k: ((mine[k] - theirs[k]).abs().max() / mine[k].abs().max().clamp_min(1e-30)).item()
        out.append(dict(mine=mine, same_batches=mine['batches'] == theirs['batches'], same_genotype=mine['genotype'] == theirs['genotype'],
                        same_grad_presence=torch.equal(mine['arch_has_grad'], theirs['arch_has_grad'])
                                           and torch.equal(mine['weight_has_grad'], theirs['weight_has_grad']),
                        d_arch_grad=rel('arch_grad'), d_weight_grad=rel('weight_grad'),
                        d_arch=(mine['arch'] - theirs['arch']).abs().max().item(),
                        d_weights=(mine['weights'] - theirs['weights']).abs().max().item(),
                        d_loss=max(abs(mine['metrics'][k] - theirs['metrics'][k]) for k in ('train_loss', 'val_loss')),
                        d_acc=max(abs(mine['metrics'][k] - theirs['metrics'][k]) for k in ('train_acc', 'val_acc'))))
    if len(out) != len(probe['steps']): raise ValueError(f"the probe took {len(probe['steps'])} steps, this config {len(out)}")
    return out

def train_probe(cfg:dict) -> dict:
    "Run on every rank: `train(TrainConfig(**cfg))`, checking after every optimiser step that all ranks hold the same weights"
    checks = []
    def after_step(opt, args, kwargs):
        check_in_sync([p for g in opt.param_groups for p in g['params']], 'weight')
        checks.append(1)
    from torch.optim.optimizer import register_optimizer_step_post_hook
    h = register_optimizer_step_post_hook(after_step)
    try: res = train(TrainConfig(**cfg), show_progress=False, verbose=False)
    finally: h.remove()
    return dict(rank=rank(), world_size=world_size(), steps_checked=len(checks), history=res.history)

def micro_batch_reference(cfg:dict, nprocs:int) -> dict:
    "The single-process twin of `train(TrainConfig(**cfg))` on `nprocs` ranks: each step back-propagates the ranks' shards as micro-batches and averages; returns the final state dict"
    c = check_config(TrainConfig(**cfg))
    if c.drop_path_prob: raise ValueError(f"drop_path_prob must be 0 for a reference run (masks are per rank), got {c.drop_path_prob}")
    if c.batch_size % nprocs: raise ValueError(f"batch_size {c.batch_size} must be a multiple of nprocs ({nprocs})")
    seed_everything(c.seed)
    shards = [eval_loaders(c.dataset, batch_size=c.batch_size // nprocs, root=c.data_root, cutout=c.cutout, seed=c.seed,
                           limit=c.limit, rank=r, world_size=nprocs) for r in range(nprocs)]
    model = _build_model(c, resolve_genotype(c.genotype), shards[0][2])
    opt = torch.optim.SGD(model.parameters(), c.lr, momentum=c.momentum, weight_decay=c.weight_decay)
    sched = make_scheduler(opt, c)
    for epoch in range(c.epochs):
        model.train(); model.drop_path_prob = 0.
        for tr, _, _ in shards: tr.set_epoch(epoch)
        for batches in zip(*[tr for tr, _, _ in shards]):
            opt.zero_grad(set_to_none=True)
            for x, y in batches:
                logits, aux = model(x)
                (_loss(logits, aux, y, c.auxiliary_weight, c.label_smoothing) / nprocs).backward()
            if c.grad_clip: nn.utils.clip_grad_norm_(model.parameters(), c.grad_clip)
            opt.step()
        sched.step()
    return {k: v.detach().clone() for k, v in model.state_dict().items()}

def run_checks(probe_cfg:dict|None=None, search_cfg:dict|None=None, train_cfg:dict|None=None, collectives:bool=False,
               timing:bool=False) -> dict:
    "Run on every rank whichever is asked for: `collectives_selftest(timing)`, `search_probe(probe_cfg)`, `search(SearchConfig(**search_cfg))` with a sync check after every step, `train_probe(train_cfg)`"
    out = {}
    if collectives: out['collectives'] = collectives_selftest(timing)
    if probe_cfg is not None: out['probe'] = search_probe(probe_cfg)
    if search_cfg is not None:
        res = search(SearchConfig(**{**search_cfg, 'sync_every': 1}), show_progress=False)
        out['search'] = dict(genotype=res.genotype.to_json(), history=res.history)
    if train_cfg is not None: out['train'] = train_probe(train_cfg)
    return out

def fail_on_rank(bad:int, wait_s:float=60.) -> int:
    "Rank `bad` raises at once; every other rank is still busy (sleeping) when it does"
    if rank() == bad: raise ValueError(f"rank {bad} fails on purpose")
    time.sleep(wait_s)
    return rank()
