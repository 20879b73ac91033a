"""One short GPU check: the memory table at the paper's setting with torch.cuda.max_memory_allocated (ICCV Table 7),
and the search time per iteration at the paper's setting on CIFAR-10 (batch 64, 8 cells, C=16) of ROME-v2 with K=7 and
K=1, GDAS and DARTS, fp32 and bf16 autocast, each sample by sample (the old path) and, where K > 1, with the K samples
stacked (`sample_batch=K`), projected to 50 epochs, with the peak memory of each.

    python benchmarks/gpu_check.py [--skip-memory] [--old] [--methods rome-v2,gdas,darts] [--device cuda] [--limit 2560]
                                   [--dataset cifar10|FILE.npz] [--skip-xautodl] [--skip-jobs] [--json-out FILE]

`--old`: only the sample-by-sample path. `--json-out`: the search timings as JSON too. Last, when `xautodl` is
installed and `--skip-xautodl` is not given, our GDAS beside xautodl's in this process (`benchmarks/gdas_xautodl.py`,
batch 64, 9 cells, C=16); and, unless `--skip-jobs`, the throughput of 1, 2, 4 and 8 ROME-v2 searches side by side on
the device (`benchmarks/jobs_throughput.py`, the engine of `rome_protocol --jobs`).

The data: `--dataset`, else the local CIFAR-10 copy converted once to .npz by tests/real_data.py when there is one,
else `cifar10` in its usual folders ($ROME_DATA/cifar10 or ~/.cache/rome_nb/cifar10).
(`--device cpu --limit 256 --skip-memory` runs the same code path in seconds on a CPU, as a smoke test.)
"""
import os, sys, tempfile, time
from pathlib import Path
import torch
from rome_nb.memory import memory_table, format_memory_table
from rome_nb.search import search

def _opt(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default
device, limit, epochs = _opt('--device', 'cuda'), _opt('--limit', 2560), 2   # second epoch is timed (warm)
if '--dataset' in sys.argv: dataset = _opt('--dataset', '')
else:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'tests'))
    from real_data import real_cifar10_npz
    dataset = str(real_cifar10_npz() or 'cifar10')
cuda = device.startswith('cuda')
if cuda: assert torch.cuda.is_available(), 'this benchmark needs a CUDA device (or pass --device cpu)'
print(torch.cuda.get_device_name(0) if cuda else 'cpu', 'torch', torch.__version__, 'data', dataset, flush=True)
# The goals of this benchmark (benchmarks/README.md): ROME-v2 memory at most 0.20 of DARTS' and 0.70 of GDAS' (the paper:
# 0.245 and 0.74), and a ROME-v2 step at most 1.15 times the step of the discrete network it samples
GOALS = {('rome-v2', 'darts'): 0.20, ('rome-v2', 'gdas'): 0.70, 'step ratio': 1.15}
if '--skip-memory' not in sys.argv:
    t = time.perf_counter()
    res = memory_table(device=device, peak=True, timing=True, repeats=5, warmup=2)
    print(format_memory_table(res), flush=True)
    rows = res['rows']
    for (a, b), goal in [(k, v) for k, v in GOALS.items() if isinstance(k, tuple)]:
        vals = [rows[a][key] / rows[b][key] for key in ('saved_bytes', 'peak_bytes') if key in rows[a]]
        print(f"goal {a} / {b} <= {goal:.2f}: " + ' / '.join(f'{v:.3f}' for v in vals) + (' met' if max(vals) <= goal else ' MISSED'))
    print(f"goal step ratio <= {GOALS['step ratio']:.2f}: {res['time']['ratio']:.3f}" + (' met' if res['time']['ratio'] <= GOALS['step ratio'] else ' MISSED'))
    print(f'memory table: {time.perf_counter() - t:.0f} s\n', flush=True)

full_iters = 25_000 // 64        # iterations of one epoch of the paper's search (25k / 25k split, batch 64)
# (method, K): ROME-v2 with K=7 (the paper) and K=1, GDAS, DARTS; each the sample-by-sample path ("old") and, where there
# are several samples, the stacked path (sample_batch = K); fp32 and, on CUDA, bf16 autocast
RUNS = [r for r in (('rome-v2', 7), ('rome-v2', 1), ('gdas', 1), ('darts', 1)) if r[0] in _opt('--methods', 'rome-v2,gdas,darts').split(',')]
paths = ('old',) if '--old' in sys.argv else ('old', 'stacked')
rows = []
for method, k in RUNS:
    for path in (paths if k > 1 else ('old',)):
        for amp in ((False, True) if cuda else (False,)):
            with tempfile.TemporaryDirectory() as d:
                if cuda: torch.cuda.reset_peak_memory_stats()
                r = search('paper', method=method, k=k, dataset=dataset, limit=limit, epochs=epochs, device=device,
                           amp='bf16' if amp else 'off', sample_batch=k if path == 'stacked' else 1,
                           out=os.path.join(d, 'run'), show_progress=False)
                rec = r.history[-1]
                per_iter = rec['epoch_time'] / rec['steps']
                row = dict(method=method, k=k, path=path, precision='bf16' if amp else 'fp32', ms_per_iter=per_iter * 1e3,
                           iters_timed=rec['steps'], hours_50_epochs=50 * per_iter * full_iters / 3600,
                           peak_gib=torch.cuda.max_memory_allocated() / 2**30 if cuda else None)
                rows.append(row)
                print(f"search {method} K={k} {path:7s} {row['precision']}: {row['ms_per_iter']:.1f} ms/iteration "
                      f"({rec['steps']} iterations timed), 50 epochs {row['hours_50_epochs']:.2f} h "
                      f"({row['hours_50_epochs'] * 60:.0f} min)" + (f", peak allocated {row['peak_gib']:.2f} GiB" if cuda else ''), flush=True)
print('\n| method | K | path | precision | ms / iteration | 50 epochs (min) | peak (GiB) |\n|---|---|---|---|---|---|---|')
for r in rows:
    print(f"| {r['method']} | {r['k']} | {r['path']} | {r['precision']} | {r['ms_per_iter']:.1f} | {r['hours_50_epochs'] * 60:.0f} | "
          + ('–' if r['peak_gib'] is None else f"{r['peak_gib']:.2f}") + ' |')
# GDAS beside xautodl's GDAS in this process (benchmarks/gdas_xautodl.py; skipped when xautodl is not installed)
xautodl = None
if '--skip-xautodl' not in sys.argv:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from gdas_xautodl import main as gdas_vs_xautodl
    print()
    xautodl = gdas_vs_xautodl(['--device', device, '--steps', '10' if cuda else '2', '--threads', str(torch.get_num_threads())])
# searches side by side on this device (benchmarks/jobs_throughput.py, its own process: its workers are spawned)
jobs_rows = None
if '--skip-jobs' not in sys.argv:
    import json, subprocess
    with tempfile.TemporaryDirectory() as d:
        print(flush=True)
        p = subprocess.run([sys.executable, str(Path(__file__).resolve().parent/'jobs_throughput.py'), '--device', device, '--dataset', dataset,
                            '--limit', str(limit), '--jobs', '1,2,4,8' if cuda else '1,2', '--json-out', os.path.join(d, 'jobs.json')]
                           + ([] if cuda else ['--preset', 'quick']))
        if p.returncode == 0: jobs_rows = json.loads(Path(d, 'jobs.json').read_text())['rows']
if '--json-out' in sys.argv:
    import json
    Path(_opt('--json-out', '')).write_text(json.dumps(dict(device=torch.cuda.get_device_name(0) if cuda else 'cpu',
                                                             torch=torch.__version__, limit=limit, rows=rows, gdas_vs_xautodl=xautodl, side_by_side=jobs_rows),
                                                        indent=1) + '\n')
