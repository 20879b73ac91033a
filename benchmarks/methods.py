"""Every registered search method at one setting, in one run: the time of one search iteration (architecture step +
weight step, K samples each where the method samples) and the activation memory of one training pass.

    python benchmarks/methods.py [--batch-size 16] [--layers 5] [--channels 8] [--size 16] [--steps 3] [--threads 1]

Time: median over `--steps` iterations after one warm-up iteration, random images, space S0.
Memory: bytes autograd saves for the backward pass of one forward pass of the method's supernet
(`rome_nb.memory.measure_saved`); the second-order and perturbation methods run the same forward pass as DARTS,
so their extra cost shows in the time, not in this column.
"""
import argparse, statistics, time
import torch
from rome_nb.methods import method_names, get_method
from rome_nb.search import build_supernet, get_strategy
from rome_nb.memory import measure_saved, BENCH_METHODS


def iteration_seconds(name, batch_size, layers, channels, size, steps, seed=0):
    torch.manual_seed(seed)
    net = build_supernet(name, 's0', C=channels, layers=layers)
    st = get_strategy(name, net, epochs=10, seed=seed)
    x = torch.randn(2, batch_size, 3, size, size)
    y = torch.randint(0, 10, (2, batch_size))
    times = []
    for i in range(steps + 1):
        t0 = time.perf_counter()
        st.step((x[0], y[0]), (x[1], y[1]))
        if i: times.append(time.perf_counter() - t0)          # the first iteration is a warm-up
    return statistics.median(times), st.k


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--batch-size', type=int, default=16)
    ap.add_argument('--layers', type=int, default=5)
    ap.add_argument('--channels', type=int, default=8)
    ap.add_argument('--size', type=int, default=16)
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args(argv)
    for v, n in ((a.batch_size, 'batch-size'), (a.layers, 'layers'), (a.channels, 'channels'), (a.size, 'size'),
                 (a.steps, 'steps'), (a.threads, 'threads')):
        if v < 1: ap.error(f"--{n} must be >= 1, got {v}")
    torch.set_num_threads(a.threads)
    setting = dict(batch_size=a.batch_size, layers=a.layers, C=a.channels, size=a.size)
    print(f"space s0, batch {a.batch_size}, {a.layers} cells, {a.channels} channels, {a.size}x{a.size} images, "
          f"{a.threads} thread(s), torch {torch.__version__}")
    print('| method | K | s / iteration | ÷ ROME-v2 | saved for backward (MiB) | ÷ DARTS |')
    print('|---|---|---|---|---|---|')
    rows = {}
    for m in method_names():
        sec, k = iteration_seconds(m, a.batch_size, a.layers, a.channels, a.size, a.steps)
        mem = measure_saved(m, samples=2, **setting)['saved_bytes'] if m in BENCH_METHODS else None
        rows[m] = (sec, k, mem)
    for m, (sec, k, mem) in rows.items():
        rt = sec / rows['rome-v2'][0]
        md = '–' if mem is None or rows['darts'][2] is None else f"{mem / rows['darts'][2]:.3f}"
        print(f"| {get_method(m).label or m} | {k} | {sec:.3f} | {rt:.2f} | "
              f"{'–' if mem is None else f'{mem / 2**20:.1f}'} | {md} |", flush=True)


if __name__ == '__main__':
    main()
