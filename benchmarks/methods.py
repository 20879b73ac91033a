"""Every search method of one space at one setting, in one run: the time of one search iteration (architecture step +
weight step, K samples each where the method samples) and the activation memory of one training pass.

    python benchmarks/methods.py [--space s0] [--batch-size 16] [--layers 5] [--channels 8] [--size 16] [--steps 3] [--threads 1]

Time: median over `--steps` iterations after one warm-up iteration, random images.
Memory: bytes autograd saves for the backward pass of one forward pass of the method's supernet with one drawn
sample (`rome_nb.memory.saved_tensor_bytes`, parameters and buffers not counted), mean over 2 samples; the
second-order and perturbation methods run the same forward pass as DARTS, so their extra cost shows in the time.
`--layers` is the number of cells of a DARTS-style or NAS-Bench-1Shot1 supernet and the cells per stage of a
NAS-Bench-201 one (5 in the benchmark).
"""
import argparse, statistics, time
import torch
import torch.nn.functional as F
from rome_nb.methods import methods_for, get_method, build_supernet
from rome_nb.memory import saved_tensor_bytes
from rome_nb.spaces import get_space, space_names


def iteration_seconds(name, space, batch_size, layers, channels, size, steps, seed=0):
    torch.manual_seed(seed)
    net = build_supernet(name, space, C=channels, layers=layers)
    st = get_method(name)(net, epochs=10, seed=seed)
    st.new_epoch(0)
    x = torch.randn(2, batch_size, 3, size, size)
    y = torch.randint(0, 10, (2, batch_size))
    times = []
    for i in range(steps + 1):
        t0 = time.perf_counter()
        st.step((x[0], y[0]), (x[1], y[1]))
        if i: times.append(time.perf_counter() - t0)          # the first iteration is a warm-up
    return statistics.median(times), st.k


def saved_bytes(name, space, batch_size, layers, channels, size, samples=2, seed=0):
    torch.manual_seed(seed)
    net = build_supernet(name, space, C=channels, layers=layers)
    x, y = torch.randn(batch_size, 3, size, size), torch.randint(0, 10, (batch_size,))
    vals = []
    for s in range(samples if get_method(name).sampling else 1):
        torch.manual_seed(1000 + s)
        net.zero_grad(set_to_none=True)
        n, loss = saved_tensor_bytes(lambda: F.cross_entropy(net(x, net.sample(1.0)), y), exclude=[*net.parameters(), *net.buffers()])
        loss.backward()
        vals.append(n)
    return statistics.fmean(vals)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--space', default='s0')
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
    try: space = get_space(a.space)
    except ValueError as e: ap.error(str(e))
    torch.set_num_threads(a.threads)
    methods = methods_for(space)
    print(f"space {a.space} ({space.family}), batch {a.batch_size}, layers {a.layers}, {a.channels} channels, "
          f"{a.size}x{a.size} images, {a.threads} thread(s), torch {torch.__version__}")
    ref_t = 'rome-v2' if 'rome-v2' in methods else methods[0]
    ref_m = 'darts' if 'darts' in methods else methods[0]
    print(f'| method | K | s / iteration | ÷ {ref_t} | saved for backward (MiB) | ÷ {ref_m} |')
    print('|---|---|---|---|---|---|')
    rows = {}
    for m in methods:
        sec, k = iteration_seconds(m, a.space, a.batch_size, a.layers, a.channels, a.size, a.steps)
        rows[m] = (sec, k, saved_bytes(m, a.space, a.batch_size, a.layers, a.channels, a.size))
    for m, (sec, k, mem) in rows.items():
        print(f"| {get_method(m).label or m} | {k} | {sec:.3f} | {sec / rows[ref_t][0]:.2f} | {mem / 2**20:.1f} | "
              f"{mem / rows[ref_m][2]:.3f} |", flush=True)


if __name__ == '__main__':
    main()
