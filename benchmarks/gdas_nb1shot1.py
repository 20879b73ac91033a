"""`gdas-1shot1` beside NAS-Bench-1Shot1's released GDAS search code, side by side in one process.

    python benchmarks/gdas_nb1shot1.py --code DIR [--spaces 1,2,3] [--threads 1] [--seed 0] [--json-out FILE]

DIR is a checkout (or `git archive`) of the released NAS-Bench-1Shot1 code: the folder that holds `optimizers/` and
`nasbench_analysis/`. Without `--code`, the environment variable NB1SHOT1_CODE names it; when neither names a folder
holding `optimizers/gdas/model_search.py`, one line "skipped: ..." is printed and the exit status is 0.

What it compares, each a row of the printed table:

a. forward: one cell of theirs (`CellGDAS`) and one of ours (`NB1Shot1Cell`, built with affine BatchNorm so that every
   parameter of theirs has a counterpart) with the same weights (an explicit name map, asserted to cover every
   parameter and buffer), the same input and the same sampled architecture (their `F.gumbel_softmax` weights fed to
   both), in float64: outputs and the gradients of the input, of every weight and of the architecture logits. Then the
   whole search network (`GDASNetwork` and `NB1Shot1SearchNet`: stem, cells, down-sampling, post-processing,
   classifier), each drawing its own per-cell samples with its own sampler, both samplers driven by the same Gumbel
   noise: the draws, the logits and every gradient. Then one search iteration: their `train()` loop body (read from
   their `train_search.py` with `ast` and run on one batch; the module itself is never imported, as it parses the
   command line and writes files when imported) with their `ArchitectGDAS`, against `GDAS1Shot1Method.step`; every
   weight and architecture parameter after the iteration, with their gradient clipping at its default (5) and at 1e-3
   (so that both clips act).
b. sampling law: their `F.gumbel_softmax` and our `gumbel_topk` given the same noise (hard op sample, soft parent
   weights: values and straight-through gradients), and the op frequencies of each against softmax(logits).
c. training settings, read from their `train_search.py`, `architect.py`, `model_search.py`, `utils.py` and search
   space with `ast` (argument defaults, call keywords, statement order; of `train_search.py` only `train()` is ever
   run, in a.) against `get_method('gdas-1shot1').resolve(...)` of the collapse protocol's paper-scale config,
   the method object's optimisers, schedules and the supernet's modules.

Stubbed (only to import their model code on a machine without TensorFlow, none of it is on the forward or backward
path): the modules `nasbench` and `nasbench.api` (the NAS-Bench-101 API; `api.NASBench` is only subclassed by
`NasbenchWrapper`), and, only when not installed, `ConfigSpace` (an empty module; used by their search-space
enumeration) and `seaborn` (`set_style` a no-op; plotting). While their network is built and while their train loop
runs, `torch.Tensor.cuda` returns the tensor itself (their code moves every tensor to the GPU). In the train loop their
`utils.accuracy` is replaced by a stub returning zeros: it only feeds their log, and its `.view` of a transposed tensor
fails on current torch.

Rows whose quantity differs are marked DIFFERS and the exit status is then 1; a difference the package documents as
intended is marked `intended` and listed under the table.
"""
from __future__ import annotations
import argparse, ast, contextlib, importlib, json, logging, math, os, re, sys, types, warnings
from pathlib import Path
from types import SimpleNamespace

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.testing import assert_close

ROWS: list[dict] = []
STUBBED: list[str] = []
TIGHT = dict(rtol=1e-12, atol=1e-12)          # float64, the same operations in the same order up to rounding
STEP_TOL = dict(rtol=1e-6, atol=1e-9)         # after one search iteration: our loss is taken in float32 (AMP-ready)


def _key(what):
    return re.sub(r'[^a-z0-9]+', '-', what.lower()).strip('-')


# Differences the package keeps on purpose, each with its reason (a row that differs and is listed here is `intended`)
DECIDED = {
    'bn-affine': "the package's search networks follow DARTS' convention, BatchNorm without scale and shift during search, "
                 "for every method alike; the evaluation network (NB1Shot1Network) is affine",
    'bn-momentum': "0.997 is TensorFlow's decay passed as torch's momentum; it only sets the running statistics of eval mode, "
                   "which the search never reads",
    'lr-per-epoch': "the cosine schedule is stepped after each epoch, as in every search of the package (epoch e at lr(e)); "
                    "the released loop steps it first (epoch e at lr(e + 1)): at most 1.5 % of the initial lr apart",
    'macro-layout': "only 1 or 2 cells differ (the released code pools before the first cell); no preset uses fewer than 3",
}


def row(section, what, released, ours, status, note='', key=None):
    "One comparison; `key`: a stable name for it (default: from `what`)"
    key = key or _key(what)
    if status == 'DIFFERS' and key in DECIDED: status, note = 'intended', DECIDED[key]
    ROWS.append(dict(key=key, section=section, what=what, released=str(released), ours=str(ours),
                     status=status, note=note))


def same_or_differs(section, what, released, ours, equal=None, note='', key=None):
    eq = (released == ours) if equal is None else equal
    row(section, what, released, ours, 'same' if eq else 'DIFFERS', note, key)
    return eq


# ---------------------------------------------------------------------------------------------------------- loading
def code_folder(arg):
    "The released code's folder, or None (with the reason) when there is none"
    path = arg or os.environ.get('NB1SHOT1_CODE')
    if not path: return None, 'no folder of the released NAS-Bench-1Shot1 code (give --code DIR or set NB1SHOT1_CODE)'
    p = Path(path).expanduser()
    if not (p / 'optimizers' / 'gdas' / 'model_search.py').is_file():
        return None, f'{p} holds no optimizers/gdas/model_search.py of the released NAS-Bench-1Shot1 code'
    return p.resolve(), ''


def _stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    m.__stub__ = True
    sys.modules[name] = m
    return m


def install_stubs():
    "Minimal modules for imports their model code makes but never uses on the forward/backward path"
    class NASBench:                   # the NAS-Bench-101 API (TensorFlow); only subclassed at import
        def __init__(self, *a, **k): raise RuntimeError('stub: the NAS-Bench-101 API is not available here')
    api = _stub('nasbench.api', NASBench=NASBench, ModelSpec=type('ModelSpec', (), {}))
    _stub('nasbench', api=api)
    STUBBED.append('nasbench, nasbench.api (NASBench: a class that cannot be instantiated)')
    for name, attrs in (('ConfigSpace', {}), ('seaborn', dict(set_style=lambda *a, **k: None))):
        try: importlib.import_module(name)
        except ImportError:
            _stub(name, **attrs)
            STUBBED.append(f"{name} (not installed: {'an empty module' if not attrs else 'set_style a no-op'})")


@contextlib.contextmanager
def cuda_is_identity():
    "Their code calls .cuda() on every tensor it makes; on a CPU-only machine that is the tensor itself"
    orig = torch.Tensor.cuda
    torch.Tensor.cuda = lambda self, *a, **k: self
    try: yield
    finally: torch.Tensor.cuda = orig


def load_released(code: Path):
    install_stubs()
    sys.path.insert(0, str(code))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')       # their `assert (x, msg)` is a SyntaxWarning on current Python
        T = SimpleNamespace(
            gdas=importlib.import_module('optimizers.gdas.model_search'),
            darts=importlib.import_module('optimizers.darts.model_search'),
            genotypes=importlib.import_module('optimizers.darts.genotypes'),
            operations=importlib.import_module('optimizers.darts.operations'),
            architect=importlib.import_module('optimizers.gdas.architect'),
            utils=importlib.import_module('optimizers.darts.utils'),
            spaces={i: getattr(importlib.import_module(f'nasbench_analysis.search_spaces.search_space_{i}'), f'SearchSpace{i}')
                    for i in (1, 2, 3)})
    for m in ('nasbench', 'nasbench.api', 'ConfigSpace', 'seaborn'):   # their modules hold the stubs by now
        if getattr(sys.modules.get(m), '__stub__', False): del sys.modules[m]
    return T


@contextlib.contextmanager
def their_ops(T, skip: bool):
    "Their op set: PRIMITIVES, a module-level list read when a MixedOp is built; skip-connect replaces conv1x1 in place"
    prim = T.genotypes.PRIMITIVES
    old = list(prim)
    if skip: prim[prim.index('conv1x1-bn-relu')] = 'skip_connect'    # OPS['skip_connect'] at stride 1: Identity
    try: yield list(prim)
    finally: prim[:] = old


# ---------------------------------------------------------------------------------------------------- name map
# Theirs -> ours, one rule per kind of module (the first matching rule applies); every parameter and buffer of theirs
# must match a rule and land on an entry of ours of the same shape, and every entry of ours must be reached.
CELL_MAP = [
    (r'_input_projections\.(\d+)\.op\.([01])\.(.+)', r'proj.\1.op.\2.\3'),               # 1x1 conv-BN-ReLU of the input
    (r'_choice_blocks\.(\d+)\.mixed_op\._ops\.(\d+)\.op\.op\.([01])\.(.+)', r'ops.\1.\2.op.\3.\4'),   # conv ops of block
]
NET_MAP = [
    (r'stem\.op\.([01])\.(.+)', r'stem.op.\1.\2'),
    (r'postprocess\.op\.([12])\.(.+)', r'postprocess.op.\1.\2'),                          # ReLU, conv, BN
    (r'classifier\.(weight|bias)', r'classifier.\1'),
]


def map_name(name: str, net: bool) -> str | None:
    if net:
        m = re.fullmatch(r'cells\.(\d+)\.(.+)', name)
        if m:
            inner = map_name(m.group(2), False)
            return None if inner is None else f'cells.{m.group(1)}.{inner}'
    for pat, rep in (NET_MAP if net else CELL_MAP):
        if re.fullmatch(pat, name): return re.sub(pat, rep, name)
    return None


def copy_theirs_into_ours(theirs: nn.Module, ours: nn.Module, net: bool, skip_ours=()):
    """Copy every parameter and buffer of theirs into ours by `map_name`; returns (mapping, their entries without a
    counterpart). Asserts: each of theirs maps, shapes agree, the map is one-to-one and reaches all of ours but `skip_ours`."""
    t_sd, o_sd = theirs.state_dict(), ours.state_dict()
    mapping, unmapped = {}, []
    for k, v in t_sd.items():
        o = map_name(k, net)
        if o is None or o not in o_sd:
            unmapped.append(k); continue
        assert o_sd[o].shape == v.shape, (k, o, tuple(v.shape), tuple(o_sd[o].shape))
        mapping[k] = o
    assert len(set(mapping.values())) == len(mapping), 'the name map is not one-to-one'
    missing = set(o_sd) - set(mapping.values()) - set(skip_ours)
    assert not missing, f'entries of ours that no entry of theirs reaches: {sorted(missing)}'
    with torch.no_grad():
        for k, o in mapping.items(): o_sd[o].copy_(t_sd[k])
    return mapping, unmapped


def maxdiff(a, b) -> float:
    return float((a.detach().double().reshape(-1) - b.detach().double().reshape(-1)).abs().max()) if a.numel() else 0.


# ------------------------------------------------------------------------------------------------- noise driver
class SameNoise:
    """Seeds each Gumbel draw by (role, how many draws of that role came before): their sampler and ours then draw the
    same Exp(1) numbers (both call `exponential_` once on a tensor of the logits' size), whatever order each makes its
    draws in. Records every draw."""
    ROLES = ('ops', 'output') + tuple(f'node{j}' for j in range(1, 8))

    def __init__(self, base: int):
        self.base, self.count, self.log = base, {}, {}

    def __call__(self, role, fn, *a, **k):
        n = self.count.get(role, 0)
        self.count[role] = n + 1
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.base + 7919 * n + self.ROLES.index(role))
            out = fn(*a, **k)
        self.log.setdefault(role, []).append(out.detach().clone())
        return out


class TheirF:
    "Stands for `torch.nn.functional` in their model module: its `gumbel_softmax` runs under `SameNoise`"
    def __init__(self, noise, roles):
        self.noise, self.roles = noise, roles            # id(their arch tensor) -> role
    def __getattr__(self, name): return getattr(F, name)
    def gumbel_softmax(self, x, *a, **k):
        return self.noise(self.roles[id(x)], F.gumbel_softmax, x, *a, **k)


@contextlib.contextmanager
def drive_ours(noise, roles):
    "Our `sample_gdas` calls `rome_nb.nb1shot1.gumbel_topk`; run it under `SameNoise` (id(our arch parameter) -> role)"
    import rome_nb.nb1shot1 as nbm
    real = nbm.gumbel_topk
    nbm.gumbel_topk = lambda w, *a, **k: noise(roles[id(w)], real, w, *a, **k)
    try: yield
    finally: nbm.gumbel_topk = real


# ------------------------------------------------------------------------------------------------- a. forward
SPACE_NAMES = {1: '1shot1-s1', 2: '1shot1-s2', 3: '1shot1-s3'}


def their_begin(i):
    "First node whose inputs carry weights in their code: 3 in search space 1 (node 2 adds its two inputs), else 2"
    return 3 if i == 1 else 2


def _fill_random(module, gen):
    "Every parameter random (BN scale near 1), so that no weight is at a value that hides a mix-up"
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith('op.1.weight') and p.dim() == 1: p.copy_(0.5 + torch.rand(p.shape, generator=gen, dtype=p.dtype))
            else: p.copy_(0.3 * torch.randn(p.shape, generator=gen, dtype=p.dtype))


def compare_cell(T, i: int, skip: bool, layer: int, draws: int, seed: int):
    from rome_nb.nb1shot1 import NB1Shot1Cell, SamplePlan, get_nb1shot1_space
    name = SPACE_NAMES[i] + ('-skip' if skip else '')
    sp = get_nb1shot1_space(name)
    n, C_prev, C, B, H = sp.n_nodes, 3, 4, 2, 6
    C_in = C_prev if layer == 0 else C_prev * n
    gen = torch.Generator().manual_seed(seed)
    with their_ops(T, skip) as prim:
        theirs = T.gdas.CellGDAS(n, C_prev, C, layer, T.spaces[i]()).double().train()
    ours = NB1Shot1Cell(name, C_in, C, affine=True).double().train()
    _fill_random(theirs, gen)
    mapping, unmapped = copy_theirs_into_ours(theirs, ours, net=False)
    assert not unmapped, f'parameters of theirs without a counterpart: {unmapped}'
    n_par = sum(1 for k, _ in theirs.named_parameters())
    worst = dict(out=0., grads=0.)
    begin = their_begin(i)
    for d in range(draws):
        x = torch.randn(B, C_in, H, H, generator=gen, dtype=torch.float64, requires_grad=True)
        lg_ops = torch.randn(n, len(prim), generator=gen, dtype=torch.float64, requires_grad=True)
        lg_out = torch.randn(1, n + 1, generator=gen, dtype=torch.float64, requires_grad=True)
        lg_in = [torch.randn(1, j, generator=gen, dtype=torch.float64, requires_grad=True) for j in range(begin, n + 1)]
        tau = (0.5, 1., 10.)[d % 3]
        torch.manual_seed(seed + d)
        # their sampler (the weights their forward makes); the last draw soft ops, so that every op runs in both
        w_ops = F.gumbel_softmax(lg_ops, tau=tau, hard=d < draws - 1, dim=-1)
        w_out = F.gumbel_softmax(lg_out, tau=tau, hard=False, dim=-1)
        w_in = [F.gumbel_softmax(l, tau=tau, hard=False, dim=-1) for l in lg_in]
        y_t = theirs(x, w_ops, w_out, list(w_in))
        ones = [torch.ones(j, dtype=torch.float64) for j in range(1, begin)]     # nodes whose inputs are just added
        plan = SamplePlan(tuple(w_ops.unbind(0)), (*ones, *(w[0] for w in w_in), w_out[0]))
        y_o = ours(x, plan)
        assert_close(y_o, y_t, **TIGHT)
        worst['out'] = max(worst['out'], maxdiff(y_o, y_t))
        r = torch.randn(y_t.shape, generator=gen, dtype=torch.float64)
        leaves_t = [x, lg_ops, lg_out, *lg_in, *theirs.parameters()]
        g_t = torch.autograd.grad((y_t * r).sum(), leaves_t, allow_unused=True, retain_graph=True)   # the draws feed both
        o_par = dict(ours.named_parameters())
        leaves_o = [x, lg_ops, lg_out, *lg_in, *(o_par[mapping[k]] for k, _ in theirs.named_parameters())]
        g_o = torch.autograd.grad((y_o * r).sum(), leaves_o, allow_unused=True)
        for a, b in zip(g_o, g_t):
            assert (a is None) == (b is None)
            if a is not None:
                assert_close(a, b, **TIGHT)
                worst['grads'] = max(worst['grads'], maxdiff(a, b))
    return name, n_par, len(mapping), worst


def compare_cells(T, spaces, seed):
    for i in spaces:
        for skip in (False, True):
            for layer in (0, 1):
                name, n_par, n_map, worst = compare_cell(T, i, skip, layer, draws=4, seed=seed + 10 * i + layer)
                row('a. forward', f'cell {name}, {"first cell (C_in = C)" if layer == 0 else "later cell (C_in = n·C)"}: '
                    f'output, and gradients of input, weights, arch logits (4 draws, float64)',
                    f'CellGDAS; {n_par} parameters (BN affine), {n_map} entries mapped',
                    f'NB1Shot1Cell(affine=True); max |diff| out {worst["out"]:.1e}, grads {worst["grads"]:.1e}', 'same',
                    key=f'cell-{name}-{"first" if layer == 0 else "later"}')


def build_pair(T, i, skip, C, layers, seed):
    "Their GDASNetwork and our NB1Shot1SearchNet of `gdas-1shot1`, float64, their weights copied into ours, random arch logits"
    from rome_nb.methods import build_supernet
    name = SPACE_NAMES[i] + ('-skip' if skip else '')
    torch.manual_seed(seed)
    with their_ops(T, skip), cuda_is_identity():
        theirs = T.gdas.GDASNetwork(10., C, 10, layers, nn.CrossEntropyLoss(), output_weights=True,
                                    search_space=T.spaces[i](), steps=T.spaces[i]().num_intermediate_nodes)
    ours = build_supernet('gdas-1shot1', name, C=C, layers=layers)
    theirs.double().train(); ours.double().train()
    n = ours.space.n_nodes
    arch_names = {n_ for n_, _ in ours.named_parameters() if n_.startswith(('alphas_ops', 'betas_parents'))}
    mapping, unmapped = copy_theirs_into_ours(theirs, ours, net=True, skip_ours=arch_names)
    # what has no counterpart in ours is exactly the scale and shift of their affine BatchNorms: frozen at identity
    mods = dict(theirs.named_modules())
    for k in unmapped:
        mod, _, attr = k.rpartition('.')
        assert isinstance(mods[mod], nn.BatchNorm2d) and mods[mod].affine and attr in ('weight', 'bias'), k
        p = getattr(mods[mod], attr)
        with torch.no_grad(): p.fill_(1. if attr == 'weight' else 0.)
        p.requires_grad_(False)
    # architecture: random logits (scale 1, so that draws differ), ours copied into theirs as float64 leaves
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for p in ours.arch_parameters(): p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype))
    b = their_begin(i)
    a_ops = ours.alphas_ops.detach().clone().requires_grad_()
    a_out = ours.betas_parents[n].detach().clone()[None].requires_grad_()
    a_in = [ours.betas_parents[j - 1].detach().clone()[None].requires_grad_() for j in range(b, n + 1)]
    theirs.alphas_mixed_op, theirs.alphas_output, theirs.alphas_inputs = a_ops, a_out, a_in
    theirs._arch_parameters = [a_ops, a_out, *a_in]
    their_roles = {id(a_ops): 'ops', id(a_out): 'output', **{id(t): f'node{j}' for j, t in zip(range(b, n + 1), a_in)}}
    our_roles = {id(ours.alphas_ops): 'ops', id(ours.betas_parents[n]): 'output',
                 **{id(ours.betas_parents[j - 1]): f'node{j}' for j in range(b, n + 1)}}
    arch_pairs = [(ours.alphas_ops, a_ops), (ours.betas_parents[n], a_out),
                  *((ours.betas_parents[j - 1], t) for j, t in zip(range(b, n + 1), a_in))]
    return SimpleNamespace(name=name, theirs=theirs, ours=ours, mapping=mapping, unmapped=unmapped, arch_pairs=arch_pairs,
                           their_roles=their_roles, our_roles=our_roles, n=n, begin=b)


def compare_network(T, i, skip, seed, C=4, layers=9, B=4, H=10):
    P = build_pair(T, i, skip, C, layers, seed)
    theirs, ours = P.theirs, P.ours
    gen = torch.Generator().manual_seed(seed + 2)
    x = torch.randn(B, 3, H, H, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 10, (B,), generator=gen)
    worst = dict(draws=0., logits=0., grads=0.)
    for tau in (10., 1.):
        nz_t, nz_o = SameNoise(seed), SameNoise(seed)
        theirs.set_tau(tau)
        gm = T.gdas.F
        T.gdas.F = TheirF(nz_t, P.their_roles)
        try: out_t = theirs(x)
        finally: T.gdas.F = gm
        with drive_ours(nz_o, P.our_roles): out_o = ours(x, tau=tau)
        # one draw per cell and architecture tensor on each side, the same draws
        assert set(nz_t.count) == set(nz_o.count) and all(v == layers for v in nz_t.count.values()), (nz_t.count, nz_o.count)
        assert all(v == layers for v in nz_o.count.values())
        for role in nz_t.log:
            for a, b in zip(nz_o.log[role], nz_t.log[role]):
                assert_close(a.reshape(-1), b.reshape(-1), **TIGHT); worst['draws'] = max(worst['draws'], maxdiff(a, b))
        assert_close(out_o, out_t, **TIGHT); worst['logits'] = max(worst['logits'], maxdiff(out_o, out_t))
        lt, lo = F.cross_entropy(out_t, y), F.cross_entropy(out_o, y)
        t_par = [(k, p) for k, p in theirs.named_parameters() if p.requires_grad]
        o_par = dict(ours.named_parameters())
        g_t = torch.autograd.grad(lt, [p for _, p in t_par] + [t for _, t in P.arch_pairs], allow_unused=True)
        g_o = torch.autograd.grad(lo, [o_par[P.mapping[k]] for k, _ in t_par] + [o for o, _ in P.arch_pairs], allow_unused=True)
        for a, b in zip(g_o, g_t):
            assert (a is None) == (b is None)
            if a is not None:
                assert_close(a.reshape(-1), b.reshape(-1), **TIGHT); worst['grads'] = max(worst['grads'], maxdiff(a, b))
    n_bn = len(P.unmapped) // 2
    row('a. forward', f'search network {P.name}, {layers} cells, C={C}: per-cell draws, logits, gradients of every weight '
        f'and arch logit (τ = 10 and 1, float64)',
        f'GDASNetwork; draws per forward: {layers} of each arch tensor; {n_bn} affine BNs held at (1, 0)',
        f'NB1Shot1SearchNet; draws: {layers} of each; max |diff| draws {worst["draws"]:.1e}, logits {worst["logits"]:.1e}, '
        f'grads {worst["grads"]:.1e}', 'same', key=f'network-{P.name}')
    return P


# ------------------------------------------------------------------------------------------------- a. one step
def their_train_function(T, code: Path, args):
    "Their `train()` of optimizers/gdas/train_search.py, compiled from its source alone (the module is not imported)"
    tree = ast.parse((code / 'optimizers/gdas/train_search.py').read_text())
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == 'train')
    mod = ast.Module(body=[fn], type_ignores=[])
    utils = SimpleNamespace(AvgrageMeter=T.utils.AvgrageMeter,
                            accuracy=lambda out, target, topk=(1,): [torch.zeros(()) for _ in topk])   # stub: log only
    ns = dict(args=args, utils=utils, nn=nn, logging=logging.getLogger('released-train'))
    exec(compile(mod, str(code / 'optimizers/gdas/train_search.py'), 'exec'), ns)
    return ns['train']


def compare_step(T, code, defaults, i, skip, seed, clip, C=4, layers=9, B=4, H=10):
    from rome_nb.methods import get_method, MethodConfig
    P = build_pair(T, i, skip, C, layers, seed)
    theirs, ours = P.theirs, P.ours
    gen = torch.Generator().manual_seed(seed + 3)
    xt, xv = (torch.randn(B, 3, H, H, generator=gen, dtype=torch.float64) for _ in range(2))
    yt, yv = (torch.randint(0, 10, (B,), generator=gen) for _ in range(2))
    args = SimpleNamespace(**{**defaults, 'grad_clip': clip, 'report_freq': 10 ** 9})
    # theirs, as their main() sets it up (the learning rate is the initial one; the schedule is compared in c.)
    theirs.set_tau(args.tau_max)
    optimizer = torch.optim.SGD(theirs.parameters(), args.learning_rate, momentum=args.momentum, weight_decay=args.weight_decay)
    architect = T.architect.ArchitectGDAS(theirs, args)
    train = their_train_function(T, code, args)
    # ours: the method object at epoch 0 (τ = τ_max, lr = the initial lr)
    cfg = MethodConfig(epochs=args.epochs, lr_min=args.learning_rate_min, grad_clip=clip, seed=0)
    m = get_method('gdas-1shot1')(ours, cfg)
    if clip != m.arch_grad_clip: m.arch_grad_clip = clip        # their one grad_clip argument sets both clips
    assert m.tau == args.tau_max and m.lr == args.learning_rate
    nz_t, nz_o = SameNoise(seed), SameNoise(seed)
    gm = T.gdas.F
    T.gdas.F = TheirF(nz_t, P.their_roles)
    try:
        with cuda_is_identity(), warnings.catch_warnings():
            warnings.simplefilter('ignore')                      # clip_grad_norm is deprecated
            _, train_loss_t = train([(xt, yt)], [(xv, yv)], theirs, architect, nn.CrossEntropyLoss(), optimizer,
                                    args.learning_rate, 0)
    finally: T.gdas.F = gm
    unread = [p for j, p in enumerate(ours.betas_parents, 1) if j < P.begin]     # nodes without a choice
    before = [p.detach().clone() for p in unread]
    with drive_ours(nz_o, P.our_roles): res = m.step((xt, yt), (xv, yv))
    assert all(p.grad is None and torch.equal(p, q) for p, q in zip(unread, before))  # never read, never stepped
    assert nz_t.count == nz_o.count and all(v == 2 * layers for v in nz_o.count.values()), (nz_t.count, nz_o.count)
    for role in nz_t.log:                                       # the arch step's draws, then the weight step's
        for a, b in zip(nz_o.log[role], nz_t.log[role]): assert_close(a.reshape(-1), b.reshape(-1), **TIGHT)
    assert abs(res['train_loss'] - train_loss_t) <= 1e-6 * abs(train_loss_t), (res['train_loss'], train_loss_t)
    worst_w = worst_a = 0.
    o_par = dict(ours.named_parameters())
    for k, p in theirs.named_parameters():
        if k in P.mapping:
            assert_close(o_par[P.mapping[k]], p, **STEP_TOL); worst_w = max(worst_w, maxdiff(o_par[P.mapping[k]], p))
        else: assert not p.requires_grad and bool(((p == 1) | (p == 0)).all())    # the frozen BN scale / shift
    moved = 0.
    for o, t in P.arch_pairs:
        assert_close(o.reshape(-1), t.reshape(-1), **STEP_TOL); worst_a = max(worst_a, maxdiff(o, t))
    for o, _ in P.arch_pairs: moved = max(moved, float(o.detach().abs().max()))
    row('a. forward', f'one search iteration {P.name} (arch step, then weight step), grad_clip {clip:g}: every weight and '
        f'arch logit afterwards',
        f'train() of train_search.py, ArchitectGDAS, SGD; train loss {train_loss_t:.6f}',
        f'GDAS1Shot1Method.step; train loss {res["train_loss"]:.6f}; max |diff| weights {worst_w:.1e}, arch {worst_a:.1e}',
        'same', 'our loss is taken in float32 (autocast-ready), so float64 agreement is to ~1e-7 after a step',
        key=f'step-{P.name}-clip-{clip:g}')


def compare_layout(T, max_layers=12, C=2, H=16):
    "Width (C_in, C) of every cell and the map size it sees, for 1..max_layers cells, as the two networks are built and run"
    from rome_nb.methods import build_supernet
    def seen(net, cells, fwd):
        sizes = []
        hooks = [c.register_forward_pre_hook(lambda m, a: sizes.append(a[0].shape[-1])) for c in cells]
        with torch.no_grad(): fwd()
        for h in hooks: h.remove()
        return sizes
    bad, x = [], torch.randn(1, 3, H, H)
    for L in range(1, max_layers + 1):
        with their_ops(T, False), cuda_is_identity():
            tn = T.gdas.GDASNetwork(1., C, 10, L, nn.CrossEntropyLoss(), output_weights=True, search_space=T.spaces[1](), steps=4)
        on = build_supernet('gdas-1shot1', '1shot1-s1', C=C, layers=L)
        t = [(c._input_projections[0].op[0].in_channels, c._input_projections[0].op[0].out_channels) for c in tn.cells]
        o = [(c.proj[0].op[0].in_channels, c.proj[0].op[0].out_channels) for c in on.cells]
        t += seen(tn, tn.cells, lambda: tn(x))
        o += seen(on, on.cells, lambda: on(x, tau=1.))
        if t != o: bad.append(L)
    ok = [L for L in range(1, max_layers + 1) if L not in bad]
    row('a. forward', f'macro layout, 1..{max_layers} cells: (C_in, C) of every cell and the map size it reads',
        'channels doubled and a 2x2 max-pool before cells layers//3 and 2*layers//3',
        f"the same for {ok[0]}..{ok[-1]} cells" + (f"; differs for {bad}" if bad else ''), 'DIFFERS' if bad else 'same',
        "ours never down-samples before the first cell (rome_nb/nb1shot1.py `_layout`: `and i > 0`); theirs does when "
        "layers//3 == 0, i.e. for 1 or 2 cells; no preset of the package uses fewer than 3" if bad else '', key='macro-layout')


# ------------------------------------------------------------------------------------------------- b. sampling
def compare_sampling(seed, n=300):
    from rome_nb.gumbel import gumbel_topk
    gen = torch.Generator().manual_seed(seed)
    for hard, shape, what in ((True, (4, 3), 'hard op sample per block (Gumbel-Max, straight-through)'),
                              (False, (1, 5), 'soft parent / output weights (Gumbel-softmax)')):
        same_idx, wv, wg = 0, 0., 0.
        for d in range(n):
            tau = (0.1, 0.5, 1., 3., 10.)[d % 5]
            lg = (torch.randn(shape, generator=gen, dtype=torch.float64) * (0.01, 1., 5.)[d % 3]).requires_grad_()
            lo = lg.detach().clone().reshape(shape if hard else (shape[-1],)).requires_grad_()
            r = torch.randn(shape, generator=gen, dtype=torch.float64)
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed + d); wt = F.gumbel_softmax(lg, tau=tau, hard=hard, dim=-1)
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed + d); wo = gumbel_topk(lo, 1, tau, hard=hard)
            assert_close(wo.reshape(shape), wt, **TIGHT)
            if hard: same_idx += int(torch.equal(wo.detach().argmax(-1), wt.detach().argmax(-1)))
            gt, = torch.autograd.grad((wt * r).sum(), lg)
            go, = torch.autograd.grad((wo.reshape(shape) * r).sum(), lo)
            assert_close(go.reshape(shape), gt, **TIGHT)
            wv, wg = max(wv, maxdiff(wo, wt)), max(wg, maxdiff(go, gt))
        row('b. sampling', f'{what}: same noise, {n} draws, τ in 0.1..10, float64',
            'torch.nn.functional.gumbel_softmax' + (f'(hard=True)' if hard else '(hard=False)'),
            f'gumbel_topk(k=1, hard={hard}); ' + (f'same op in {same_idx}/{n}; ' if hard else '') +
            f'max |diff| weights {wv:.1e}, gradients {wg:.1e}', 'same', key='sampler-hard' if hard else 'sampler-soft')
    # the law itself: op frequencies of each sampler (own noise) against softmax(logits)
    p = torch.tensor([0.6, 0.3, 0.1], dtype=torch.float64)
    N = 40000
    torch.manual_seed(seed)
    ct = F.gumbel_softmax(p.log().expand(N, 3).clone(), tau=1., hard=True).sum(0)
    co = gumbel_topk(p.log().expand(N, 3).clone(), 1, 1., hard=True).sum(0)
    sd = (p * (1 - p) / N).sqrt()
    zt, zo = float(((ct / N - p) / sd).abs().max()), float(((co / N - p) / sd).abs().max())
    same_or_differs('b. sampling', f'op law: frequencies of {N} draws against softmax(logits) = (0.6, 0.3, 0.1), max |z|',
                    f'{zt:.2f}', f'{zo:.2f}', equal=zt < 5 and zo < 5, note='same law: |z| < 5 on both sides', key='op-law')


# ------------------------------------------------------------------------------------------------- c. settings
def _args_defaults(tree):
    "The `default=` of every parser.add_argument('--name', ...) call"
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, 'attr', '') == 'add_argument' and node.args:
            name = ast.literal_eval(node.args[0]).lstrip('-')
            for kw in node.keywords:
                if kw.arg == 'default': out[name] = ast.literal_eval(kw.value)
    return out


def _calls(tree, attr):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, 'attr', getattr(n.func, 'id', '')) == attr]


def _value(node, args):
    "A small expression of their code: a literal, args.X, float(...), or arithmetic of those"
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == 'args': return args[node.attr]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == 'self': return ('self', node.attr)
    if isinstance(node, ast.Call) and getattr(node.func, 'id', '') == 'float': return float(_value(node.args[0], args))
    if isinstance(node, ast.BinOp):
        a, b = _value(node.left, args), _value(node.right, args)
        return {ast.Sub: a - b, ast.Add: a + b, ast.Div: a / b if b else math.nan, ast.Mult: a * b}[type(node.op)] \
            if isinstance(node.op, (ast.Sub, ast.Add, ast.Div, ast.Mult)) else None
    return ast.literal_eval(node)


def _kw(call, name, args, default=None):
    for kw in call.keywords:
        if kw.arg == name: return _value(kw.value, args)
    return default


def _func(tree, name):
    return next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)


def _line_of(func, pred):
    "Line of the first node of `func` for which pred(node) holds"
    return min(n.lineno for n in ast.walk(func) if pred(n))


def _is_call(n, obj, attr):
    return isinstance(n, ast.Call) and getattr(n.func, 'attr', '') == attr and \
        isinstance(n.func.value, ast.Name) and n.func.value.id == obj


def released_settings(code: Path):
    src = lambda p: ast.parse((code / p).read_text())
    ts, ar, gar, ms, ut, gt = (src('optimizers/gdas/train_search.py'), src('optimizers/darts/architect.py'),
                               src('optimizers/gdas/architect.py'), src('optimizers/darts/model_search.py'),
                               src('optimizers/darts/utils.py'), src('optimizers/darts/genotypes.py'))
    d = _args_defaults(ts)
    s = dict(defaults=d)
    sgd = _calls(ts, 'SGD')[0]
    s['sgd'] = dict(lr=_value(sgd.args[1], d), momentum=_kw(sgd, 'momentum', d), weight_decay=_kw(sgd, 'weight_decay', d),
                    nesterov=_kw(sgd, 'nesterov', d, False), params=ast.unparse(sgd.args[0]))
    cos = _calls(ts, 'CosineAnnealingLR')[0]
    s['cosine'] = dict(T_max=_value(cos.args[1], d), eta_min=_kw(cos, 'eta_min', d))
    main, train = _func(ts, 'main'), _func(ts, 'train')
    loop = next(n for n in ast.walk(main) if isinstance(n, ast.For) and ast.unparse(n.iter) == 'range(args.epochs)')
    l_sched = _line_of(loop, lambda n: _is_call(n, 'scheduler', 'step'))
    l_train = _line_of(loop, lambda n: isinstance(n, ast.Call) and getattr(n.func, 'id', '') == 'train')
    l_tau = _line_of(loop, lambda n: isinstance(n, ast.AugAssign) and ast.unparse(n.target) == 'tau_epoch')
    s['sched_step_before_train'] = l_sched < l_train
    s['tau_lowered_after_train'] = l_tau > l_train
    assigns = {ast.unparse(n.targets[0]): n.value for n in ast.walk(main) if isinstance(n, ast.Assign) and len(n.targets) == 1}
    s['tau_step'], s['tau_start'] = _value(assigns['tau_step'], d), _value(assigns['tau_epoch'], d)
    l_arch = _line_of(train, lambda n: _is_call(n, 'architect', 'step'))
    l_wstep = _line_of(train, lambda n: _is_call(n, 'optimizer', 'step'))
    s['arch_first'] = l_arch < l_wstep
    warm = next(n for n in ast.walk(train) if isinstance(n, ast.Compare) and 'warm_start_epochs' in ast.unparse(n))
    s['warm_start'] = _value(warm.comparators[0], d)
    clip_w = next(c for c in _calls(train, 'clip_grad_norm'))
    s['clip_weights'] = (ast.unparse(clip_w.args[0]), _value(clip_w.args[1], d))
    adam = _calls(ar, 'Adam')[0]
    s['adam'] = dict(lr=_kw(adam, 'lr', d), betas=_kw(adam, 'betas', d), weight_decay=_kw(adam, 'weight_decay', d))
    clip_a = _calls(gar, 'clip_grad_norm')[0]
    gc = {ast.unparse(n.targets[0]): n.value for n in ast.walk(gar) if isinstance(n, ast.Assign)}
    s['clip_arch'] = (ast.unparse(clip_a.args[0]), _value(gc['self.grad_clip'], d))
    s['unrolled_call'] = ast.unparse(next(c for c in _calls(train, 'step') if _is_call(c, 'architect', 'step')))
    init = _func(ms, '_initialize_alphas')
    s['arch_init'] = sorted({_value(n.left, d) for n in ast.walk(init) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult)
                             and 'randn' in ast.unparse(n.right)})
    s['primitives'] = next(ast.literal_eval(n.value) for n in gt.body if isinstance(n, ast.Assign)
                           and ast.unparse(n.targets[0]) == 'PRIMITIVES')
    tr = _func(ut, '_data_transforms_cifar10')
    consts = {ast.unparse(n.targets[0]): ast.literal_eval(n.value) for n in tr.body if isinstance(n, ast.Assign)
              and isinstance(n.value, ast.List)}
    crop = _calls(tr, 'RandomCrop')[0]
    s['aug'] = dict(mean=consts['CIFAR_MEAN'], std=consts['CIFAR_STD'], crop_pad=_kw(crop, 'padding', d),
                    hflip=bool(_calls(tr, 'RandomHorizontalFlip')))
    return s


def compare_settings(T, code: Path, seed):
    from rome_nb.methods import get_method, MethodConfig, tau_schedule
    from rome_nb.methods.gdas import GDAS1Shot1Method
    from rome_nb.methods.base import Method
    from rome_nb.collapse import collapse_plan, COLLAPSE_TAU
    from rome_nb.search import SearchConfig
    from rome_nb.nb1shot1 import init_nb1shot1_logits, get_nb1shot1_space, NB101_OPS, SKIP_OPS
    from rome_nb.data import DATASETS
    import inspect
    S = released_settings(code)
    d = S['defaults']
    M = get_method('gdas-1shot1')
    job = collapse_plan(seeds=1, scale='paper', methods='gdas-1shot1', spaces='1shot1-s1-skip')[0]
    r = M.resolve(job.search)                              # the package's paper-scale NB-1Shot1 run of this method
    r0 = M.resolve(MethodConfig())                         # its resolution of the bare MethodConfig defaults
    sec, eq = 'c. settings', same_or_differs
    eq(sec, 'search epochs (collapse protocol, scale paper)', d['epochs'], r.epochs)
    row(sec, 'search epochs (MethodConfig default)', d['epochs'], r0.epochs,
        'intended' if r0.epochs != d['epochs'] else 'same',
        "MethodConfig's defaults are ROME's DARTS-space search (§4.1, rome_nb/methods/base.py MethodConfig); "
        'the NB-1Shot1 protocol sets its own', key='epochs-default')
    eq(sec, 'batch size (each half; collapse protocol, scale paper)', d['batch_size'], job.search.batch_size)
    eq(sec, 'initial channels (collapse paper)', d['init_channels'], job.search.channels)
    eq(sec, 'cells (collapse paper)', d['layers'], job.search.layers)
    eq(sec, 'fraction of the training set for the weights', d['train_portion'], job.search.portion)
    eq(sec, 'weight SGD: learning rate', S['sgd']['lr'], r.lr)
    eq(sec, 'weight SGD: momentum', S['sgd']['momentum'], r.momentum)
    eq(sec, 'weight SGD: Nesterov', S['sgd']['nesterov'], r.nesterov)
    eq(sec, 'weight SGD: weight decay', S['sgd']['weight_decay'], r.weight_decay)
    eq(sec, 'cosine schedule: floor', S['cosine']['eta_min'], r.lr_min)
    eq(sec, 'cosine schedule: T_max', S['cosine']['T_max'], float(r.epochs))
    # the learning rate each epoch runs at: theirs as their main() drives the scheduler (scheduler.step() at the start
    # of every epoch; torch >= 1.1 and the 1.x they name alike), ours as the search loop drives the method
    E = d['epochs']
    p = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], S['sgd']['lr'], momentum=S['sgd']['momentum'])
    sch = torch.optim.lr_scheduler.CosineAnnealingLR(opt, S['cosine']['T_max'], eta_min=S['cosine']['eta_min'])
    lr_t = []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')                  # "scheduler.step() before optimizer.step()"
        for e in range(E):
            if S['sched_step_before_train']: sch.step()
            lr_t.append(opt.param_groups[0]['lr'])
            opt.step()
            if not S['sched_step_before_train']: sch.step()
    from rome_nb.methods import build_supernet
    meth = M(build_supernet('gdas-1shot1', '1shot1-s1-skip', C=2, layers=3), r)
    lr_o, tau_o = [], []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')                  # no optimizer step between the schedule's steps here
        for e in range(E):
            meth.new_epoch(e); lr_o.append(meth.lr); tau_o.append(meth.tau); meth.end_epoch()
    dl = max(abs(a - b) for a, b in zip(lr_t, lr_o))
    eq(sec, f'learning rate per epoch ({E} epochs)',
       f"scheduler.step() {'before' if S['sched_step_before_train'] else 'after'} each epoch: {lr_t[0]:.6f}, {lr_t[1]:.6f}, …, "
       f"{lr_t[-1]:.6f}", f'{lr_o[0]:.6f}, {lr_o[1]:.6f}, …, {lr_o[-1]:.6f}; max |diff| {dl:.1e}', equal=dl < 1e-12,
       note="theirs runs epoch e at the cosine's value for e + 1 (a step taken before the first epoch); "
            "ours at the value for e", key='lr-per-epoch')
    eq(sec, 'architecture Adam: learning rate', S['adam']['lr'], meth.a_opt.param_groups[0]['lr'])
    eq(sec, 'architecture Adam: betas', tuple(S['adam']['betas']), tuple(meth.a_opt.param_groups[0]['betas']))
    eq(sec, 'architecture Adam: weight decay', S['adam']['weight_decay'], meth.a_opt.param_groups[0]['weight_decay'])
    eq(sec, 'weight gradient clip (max norm)', f"{S['clip_weights'][1]:g} on {S['clip_weights'][0]}",
       f"{r.grad_clip:g} on weight_parameters()", equal=S['clip_weights'][1] == r.grad_clip)
    eq(sec, 'architecture gradient clip (max norm)', f"{S['clip_arch'][1]:g} on {S['clip_arch'][0]}",
       f'{M.arch_grad_clip:g} on arch_parameters()', equal=S['clip_arch'][1] == M.arch_grad_clip)
    eq(sec, 'step order', 'architecture step first' if S['arch_first'] else 'weight step first',
       'architecture step first' if M.arch_first else 'weight step first')
    eq(sec, 'architecture gradient', f"first order (unrolled default {d['unrolled']}): {S['unrolled_call']}",
       'first order (Method.arch_gradient)', equal=d['unrolled'] is False and M.arch_gradient is Method.arch_gradient)
    eq(sec, 'warm-up epochs without architecture steps', S['warm_start'],
       0 if M.arch_step_due is Method.arch_step_due else 'method-specific')
    eq(sec, 'samples per step (K)', 1, r.k, note='theirs: one forward per step and phase')
    eq(sec, 'τ at the first epoch / lower bound', (S['tau_start'], d['tau_min']), (r.tau_max, r.tau_min), key='tau-max-min')
    eq(sec, 'τ of the collapse protocol', (d['tau_max'], d['tau_min']), COLLAPSE_TAU, key='tau-collapse')
    tau_t, t = [], S['tau_start']
    for e in range(E):                                   # their loop: train at tau_epoch, then tau_epoch += tau_step
        tau_t.append(t); t += S['tau_step']
    tau_rule = [tau_schedule(e, E, r.tau_max, r.tau_min, rule='nb1shot1') for e in range(E)]
    dt = max(max(abs(a - b) for a, b in zip(tau_t, tau_o)), max(abs(a - b) for a, b in zip(tau_t, tau_rule)))
    eq(sec, f'τ per epoch ({E} epochs)', f'{tau_t[0]:g}, {tau_t[1]:g}, …, {tau_t[-1]:g} (step {S["tau_step"]:g}, after each epoch)',
       f"tau_schedule(rule='nb1shot1') and the method: {tau_o[0]:g}, {tau_o[1]:g}, …, {tau_o[-1]:g}; max |diff| {dt:.1e}",
       equal=dt < 1e-9 and S['tau_lowered_after_train'], key='tau-per-epoch')
    eq(sec, 'architecture logits at init', f"{S['arch_init']} · randn",
       f"[{inspect.signature(init_nb1shot1_logits).parameters['scale'].default}] · randn",
       equal=S['arch_init'] == [inspect.signature(init_nb1shot1_logits).parameters['scale'].default])
    eq(sec, 'ops of a choice block', tuple(S['primitives']), NB101_OPS, equal=list(S['primitives']) == list(NB101_OPS))
    eq(sec, "ops of the '-skip' spaces", "PRIMITIVES with 'skip_connect' (Identity) for conv1x1 (edited in place here)",
       SKIP_OPS, equal=[o if o != 'conv1x1-bn-relu' else 'skip-connect' for o in S['primitives']] == list(SKIP_OPS))
    for i in (1, 2, 3):
        ss = T.spaces[i]()
        their_deg = tuple(ss.num_parents_per_node[str(j)] for j in range(1, ss.num_intermediate_nodes + 2))
        eq(sec, f'search space {i}: parents per node 1..n+1', their_deg, get_nb1shot1_space(SPACE_NAMES[i]).in_degrees)
    eq(sec, 'output weights (soft weights on the output node)', d['output_weights'], True,
       note='sample_gdas: soft Gumbel-softmax over the output node parents')
    cif = DATASETS['cifar10']
    eq(sec, 'CIFAR-10 normalisation (mean; std)', f"{S['aug']['mean']}; {S['aug']['std']}", f'{cif.mean}; {cif.std}',
       equal=all(abs(a - b) < 5e-5 for a, b in zip([*S['aug']['mean'], *S['aug']['std']], [*cif.mean, *cif.std])),
       note='equal to the 4 decimals ours keeps')
    eq(sec, 'augmentation in search (crop padding, flip; cutout default)',
       (S['aug']['crop_pad'], S['aug']['hflip'], d['cutout']), (cif.crop_pad, cif.hflip, False),
       note='rome_nb.data.search_loaders: pad-crop and flip, no cutout')
    # BatchNorm of the two search networks as built
    with their_ops(T, False), cuda_is_identity():
        tn = T.gdas.GDASNetwork(10., 4, 10, 3, nn.CrossEntropyLoss(), output_weights=True, search_space=T.spaces[1](), steps=4)
    on = build_supernet('gdas-1shot1', '1shot1-s1', C=4, layers=3)
    def bns(net, post):
        return [b for k, b in net.named_modules() if isinstance(b, nn.BatchNorm2d) and k.startswith('postprocess') == post]
    aff = lambda bs: sorted({b.affine for b in bs})
    mom = lambda bs: sorted({b.momentum for b in bs})
    eq(sec, 'BatchNorm affine: stem, input projections, conv ops', aff(bns(tn, False)), aff(bns(on, False)),
       note="theirs: ConvBnRelu's BatchNorm2d(affine=True); ours: NB1Shot1SearchNet builds every BN with affine=False "
            '(the text of nbs/03a_nb1shot1.ipynb says the released search model has no affine BN); in the rows of a. '
            'their affine BNs are held at their initial (1, 0), frozen', key='bn-affine')
    eq(sec, 'BatchNorm affine: post-processing', aff(bns(tn, True)), aff(bns(on, True)))
    eq(sec, 'BatchNorm momentum: stem, input projections, conv ops', mom(bns(tn, False)), mom(bns(on, False)),
       note="theirs: TensorFlow's decay 0.997 passed as torch's momentum, so the running statistics are ~the last batch; "
            'only eval mode reads them: their infer() (logged validation accuracy), never our search', key='bn-momentum')
    eq(sec, 'BatchNorm momentum: post-processing', mom(bns(tn, True)), mom(bns(on, True)))
    eq(sec, 'BatchNorm eps', sorted({b.eps for b in bns(tn, False) + bns(tn, True)}),
       sorted({b.eps for b in bns(on, False) + bns(on, True)}))
    n = 4
    their_shapes = [tuple(a.shape) for a in tn.arch_parameters()]
    used = [tuple(on.alphas_ops.shape), (n + 1,), *((j,) for j in range(their_begin(1), n + 1))]
    eq(sec, 'architecture tensors that a draw reads (search space 1)', their_shapes, used,
       equal=[tuple(s[-1:]) if len(s) == 2 and s[0] == 1 else s for s in their_shapes] == used,
       note=f'ours also holds a vector for nodes 1..{their_begin(1) - 1} (no choice of parents): never read, never stepped')


# ------------------------------------------------------------------------------------------------------- main
def print_table(rows):
    w = [max(len(h), *(len(r[k]) for r in rows)) for h, k in (('what', 'what'), ('released code', 'released'), ('ours', 'ours'))]
    head = ['section', 'what', 'released code', 'ours', 'same?']
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '|'.join(['---'] * len(head)) + '|')
    for r in rows:
        print(f"| {r['section']} | {r['what']} | {r['released']} | {r['ours']} | {r['status']} |")
    seen, notes = set(), []
    for r in rows:
        if r['note'] and r['note'] not in seen: seen.add(r['note']); notes.append(r)
    if notes:
        print()
        for r in notes: print(f"- {r['status']}: {r['what']}: {r['note']}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--code', default=None, help='folder of the released NAS-Bench-1Shot1 code (default: $NB1SHOT1_CODE)')
    ap.add_argument('--spaces', default='1,2,3', help='their search spaces to compare the cell and network of (1, 2, 3)')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--json-out', default=None)
    a = ap.parse_args(argv)
    try: spaces = sorted({int(s) for s in a.spaces.split(',') if s.strip()})
    except ValueError: spaces = []
    if not spaces or any(s not in (1, 2, 3) for s in spaces): ap.error(f'--spaces must list some of 1, 2, 3, got {a.spaces!r}')
    if a.threads < 1: ap.error(f'--threads must be >= 1, got {a.threads}')
    code, why = code_folder(a.code)
    if code is None:
        print(f'skipped: {why}'); return None
    torch.set_num_threads(a.threads)
    ROWS.clear(); STUBBED.clear()
    T = load_released(code)
    defaults = _args_defaults(ast.parse((code / 'optimizers/gdas/train_search.py').read_text()))
    compare_cells(T, spaces, a.seed)
    for i in spaces:
        for skip in (False, True): compare_network(T, i, skip, a.seed + 100 * i + skip)
    for skip, clip in ((False, defaults['grad_clip']), (True, defaults['grad_clip']), (True, 1e-3)):
        compare_step(T, code, defaults, 1, skip, a.seed + 7, clip)
    compare_layout(T)
    compare_sampling(a.seed)
    compare_settings(T, code, a.seed)
    print(f'released code: {code}')
    print('stubbed: ' + '; '.join(STUBBED) + '; torch.Tensor.cuda -> the tensor itself while their network is built and '
          'their train loop runs; their utils.accuracy (log only) in that loop')
    print()
    print_table(ROWS)
    differ = [r for r in ROWS if r['status'] == 'DIFFERS']
    intended = [r for r in ROWS if r['status'] == 'intended']
    print()
    print(f"{len(ROWS)} comparisons: {sum(r['status'] == 'same' for r in ROWS)} same, {len(intended)} intended differences, "
          f"{len(differ)} DIFFER" + (': ' + '; '.join(r['what'] for r in differ) if differ else ''))
    res = dict(code=str(code), stubbed=STUBBED, rows=ROWS, differ=[r['what'] for r in differ],
               intended=[r['what'] for r in intended])
    if a.json_out: Path(a.json_out).write_text(json.dumps(res, indent=1))
    return res


if __name__ == '__main__':
    res = main()
    sys.exit(1 if res and res['differ'] else 0)
