"""Our GDAS beside the canonical GDAS code (AutoDL's `xautodl`, Dong & Yang, CVPR 2019) in one process: the same
DARTS space (with `none`), the same macro network, the same step (weight step, then architecture step), interleaved
repetitions on the same random batches.

    python benchmarks/gdas_xautodl.py [--batch-size 64] [--cells 9] [--channels 16] [--size 32] [--steps 10]
                                      [--threads 1] [--device cpu|cuda] [--mem-draws 6]
                                      [--json-out FILE]

Skipped (exit 0, one line saying so) when `xautodl` is not importable; install it beside this package with
`pip install --no-deps xautodl` (it only needs torch). `--cells` must be a multiple of 3: xautodl's NASNet network has
N normal cells, a reduction cell, N-1 normal cells, a reduction cell and N-1 normal cells, which is this package's
layout (reductions at cells//3 and 2*cells//3) for cells = 3N.

Printed per implementation: the median time of one search iteration (both steps) after one warm-up iteration, the
bytes autograd saves for one forward pass of a training batch (mean over `--mem-draws` sampled architectures, as every
forward draws its own), and the ratios ours ÷ xautodl (goal: time ≤ 1.00).
"""
import argparse, json, statistics, sys, time
import torch
import torch.nn.functional as F


def xautodl_gdas(C, cells, device, num_classes=10):
    "xautodl's GDAS network and its search step (weight step then architecture step, as its GDAS search loop runs it)"
    from xautodl.models.cell_searchs.search_model_gdas_nasnet import NASNetworkGDAS
    from xautodl.models.cell_operations import SearchSpaceNames
    net = NASNetworkGDAS(C, cells // 3, 4, 4, 3, num_classes, SearchSpaceNames['darts'], False, True).to(device)
    w_opt = torch.optim.SGD(net.get_weights(), lr=0.025, momentum=0.9, weight_decay=3e-4, nesterov=True)
    a_opt = torch.optim.Adam(net.get_alphas(), lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)

    def step(train, val):
        (x, y), (xv, yv) = train, val
        net.train()
        w_opt.zero_grad()
        _, logits = net(x)
        F.cross_entropy(logits, y).backward()
        torch.nn.utils.clip_grad_norm_(net.get_weights(), 5)
        w_opt.step()
        a_opt.zero_grad()
        _, logits = net(xv)
        F.cross_entropy(logits, yv).backward()
        a_opt.step()

    return net, step, lambda x: net(x)[1]


def ours_gdas(C, cells, device, num_classes=10, seed=0):
    "This package's GDAS over the same space (`darts`: the 8 DARTS ops, `none` included) and its method object's `step`"
    from rome_nb.methods import build_supernet, get_method
    net = build_supernet('gdas', 'darts', C=C, layers=cells, num_classes=num_classes).to(device)
    st = get_method('gdas')(net, epochs=50, seed=seed)
    st.new_epoch(0)
    return net, st.step, net


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--cells', type=int, default=9)
    ap.add_argument('--channels', type=int, default=16)
    ap.add_argument('--size', type=int, default=32)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--mem-draws', type=int, default=6)
    ap.add_argument('--json-out', default=None)
    a = ap.parse_args(argv)
    for v, n in ((a.batch_size, 'batch-size'), (a.cells, 'cells'), (a.channels, 'channels'), (a.size, 'size'),
                 (a.steps, 'steps'), (a.threads, 'threads'), (a.mem_draws, 'mem-draws')):
        if v < 1: ap.error(f"--{n} must be >= 1, got {v}")
    if a.cells % 3: ap.error(f"--cells must be a multiple of 3 (xautodl's layout), got {a.cells}")
    try:
        import xautodl  # noqa: F401
    except ImportError:
        print('skipped: xautodl is not installed (pip install --no-deps xautodl)'); return None
    dev = torch.device(a.device)
    if dev.type == 'cuda' and not torch.cuda.is_available(): ap.error('--device cuda: no CUDA device here')
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    xnet, xstep, xfwd = xautodl_gdas(a.channels, a.cells, dev)
    torch.manual_seed(0)
    onet, ostep, ofwd = ours_gdas(a.channels, a.cells, dev)
    g = torch.Generator().manual_seed(1)
    batches = [(torch.randn(a.batch_size, 3, a.size, a.size, generator=g).to(dev),
                torch.randint(0, 10, (a.batch_size,), generator=g).to(dev)) for _ in range(2)]
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    times = {'ours': [], 'xautodl': []}
    for i in range(a.steps + 1):                     # interleaved; the first repetition of each is a warm-up
        for name, step in (('xautodl', xstep), ('ours', ostep)) if i % 2 else (('ours', ostep), ('xautodl', xstep)):
            sync(); t0 = time.perf_counter()
            step(batches[0], batches[1])
            sync(); dt = time.perf_counter() - t0
            if i: times[name].append(dt)
    x = batches[0][0]
    onet.train(); xnet.train()
    # each forward draws its own architecture (a third of the edges differ in cost), so the mean of several draws
    from rome_nb.memory import saved_tensor_bytes   # distinct storages autograd saves, the memory table's rule
    mem = {k: statistics.mean(saved_tensor_bytes(lambda: f(x))[0] for _ in range(a.mem_draws)) for k, f in (('xautodl', xfwd), ('ours', ofwd))}
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"GDAS, DARTS space with none, {a.cells} cells x {a.channels} channels, batch {a.batch_size}, {a.size}x{a.size}, "
          f"{a.device}, {a.threads} thread(s), torch {torch.__version__}, {a.steps} iterations each (interleaved)")
    print('| implementation | ms / iteration (median) | min | saved for backward (MiB, mean of the draws) |\n|---|---|---|---|')
    for k in ('ours', 'xautodl'):
        print(f"| {k} | {1e3 * med[k]:.1f} | {1e3 * min(times[k]):.1f} | {mem[k] / 2**20:.1f} |")
    ratio = med['ours'] / med['xautodl']
    print(f"ours / xautodl: time {ratio:.2f} (goal <= 1.00: {'met' if ratio <= 1 else 'MISSED'}), "
          f"saved for backward {mem['ours'] / mem['xautodl']:.2f}", flush=True)
    res = dict(setting=vars(a), torch=torch.__version__, ms={k: 1e3 * v for k, v in med.items()},
               ms_all={k: [1e3 * t for t in v] for k, v in times.items()}, saved_mib={k: v / 2**20 for k, v in mem.items()},
               time_ratio=ratio)
    if a.json_out:
        from pathlib import Path
        Path(a.json_out).write_text(json.dumps(res, indent=1) + '\n')
    return res


if __name__ == '__main__':
    main()
