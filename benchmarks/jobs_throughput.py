"""Searches side by side on one device: the throughput of N searches at once (`rome_nb.runs.side_by_side`, the
engine of `rome_protocol --jobs N`) for several N, in search iterations per second and in full searches per hour.

    python benchmarks/jobs_throughput.py [--jobs 1,2,4] [--method rome-v2] [--k 7] [--preset paper] [--limit 2560]
                                         [--device cuda] [--dataset cifar10|FILE.npz] [--json-out FILE]

For each N, N searches (seeds 0..N-1, the preset's setting on `--limit` training images, 2 epochs) start together,
each in its own process with this machine's CPU threads shared out; each times its second epoch (warm). The
aggregate throughput is the sum of the N searches' iterations per second, and a "search" in searches per hour is
the preset's full run (its epochs × the iterations of one epoch on a 25,000 + 25,000 split, batch 64 for the paper
preset). The second epochs of the N searches overlap, not exactly: processes start a few seconds apart.
`--device cpu --preset quick --limit 512 --jobs 1,2` runs in a minute or two on a CPU.
"""
import argparse, json, os, sys, tempfile, time
from pathlib import Path


def one_search(job):
    "Run one 2-epoch search (in a worker process); its second epoch's iterations per second and seconds"
    from rome_nb.search import search
    r = search(job['preset'], method=job['method'], k=job['k'], dataset=job['dataset'], limit=job['limit'], epochs=2,
               device=job['device'], seed=job['seed'], out=job['out'], show_progress=False)
    rec = r.history[-1]
    return dict(iters=rec['steps'], seconds=rec['epoch_time'], it_per_s=rec['steps'] / rec['epoch_time'])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--jobs', default='1,2,4')
    ap.add_argument('--method', default='rome-v2')
    ap.add_argument('--k', type=int, default=None)
    ap.add_argument('--preset', default='paper')
    ap.add_argument('--limit', type=int, default=2560)
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--dataset', default=None)
    ap.add_argument('--json-out', default=None)
    a = ap.parse_args(argv)
    try: ns = [int(v) for v in a.jobs.split(',') if v.strip()]
    except ValueError: ap.error(f"--jobs must be a comma-separated list of integers >= 1, got {a.jobs!r}")
    if not ns or min(ns) < 1: ap.error(f"--jobs must be a comma-separated list of integers >= 1, got {a.jobs!r}")
    if a.limit < 128: ap.error(f"--limit must be >= 128, got {a.limit}")
    import torch
    from rome_nb.runs import side_by_side
    from rome_nb.search import SearchConfig
    if a.device.startswith('cuda') and not torch.cuda.is_available(): ap.error('--device cuda: no CUDA device here')
    dataset = a.dataset
    if dataset is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'tests'))
        from real_data import real_cifar10_npz
        dataset = str(real_cifar10_npz() or 'cifar10')
    cfg = SearchConfig.from_preset(a.preset, method=a.method, k=a.k, dataset=dataset).resolved()
    full_iters = cfg.epochs * -(-25_000 // cfg.batch_size)
    cores = os.cpu_count() or 1
    print(f"{a.method} K={cfg.k}, preset {a.preset} ({cfg.layers} cells x {cfg.channels} ch, batch {cfg.batch_size}), "
          f"{a.limit} images, device {a.device}" + (f" ({torch.cuda.get_device_name(0)})" if a.device.startswith('cuda') else '')
          + f", {cores} CPU cores, torch {torch.__version__}", flush=True)
    rows = []
    for n in ns:
        with tempfile.TemporaryDirectory() as d:
            jobs = [dict(preset=a.preset, method=a.method, k=a.k, dataset=dataset, limit=a.limit, device=a.device, seed=s,
                         out=os.path.join(d, f'job{s}')) for s in range(n)]
            t0 = time.perf_counter()
            # one job runs in this process with all the threads; N > 1 jobs share the cores out among their processes
            res = [r for _, r in side_by_side(one_search, jobs, jobs=n, threads=max(1, cores // n))]
            wall = time.perf_counter() - t0
        agg = sum(r['it_per_s'] for r in res)
        row = dict(jobs=n, it_per_s_each=[round(r['it_per_s'], 3) for r in res], it_per_s=agg,
                   ms_per_iter_each=round(1e3 * sum(r['seconds'] / r['iters'] for r in res) / n, 1),
                   searches_per_hour=3600 * agg / full_iters, wall_s=round(wall, 1))
        rows.append(row)
        print(f"jobs {n}: {agg:.2f} iterations/s together ({row['ms_per_iter_each']:.1f} ms per iteration each), "
              f"{row['searches_per_hour']:.2f} full searches per hour ({full_iters} iterations each); wall {wall:.0f} s", flush=True)
    base = rows[0]['it_per_s']
    print('\n| jobs at once | iterations/s together | ms / iteration, each | full searches per hour | × the first row |')
    print('|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['jobs']} | {r['it_per_s']:.2f} | {r['ms_per_iter_each']:.1f} | {r['searches_per_hour']:.2f} | {r['it_per_s'] / base:.2f} |")
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(dict(setting=vars(a), full_iters=full_iters, rows=rows), indent=1) + '\n')
    return rows


if __name__ == '__main__':
    main()
