"""Fixed-seed tiny searches of every registered method on every space family, written as one JSON fingerprint.

    python benchmarks/fingerprint.py --out FILE.json            # record
    python benchmarks/fingerprint.py --compare FILE.json        # run again and compare, run by run

Each run is a real search (scikit-learn's digits, 3 cells × 4 channels, 2 epochs, seed 0, one thread); its fingerprint
is the genotype it wrote and every per-epoch log record without the wall-clock fields. A refactoring that claims to
change no result must leave every fingerprint equal: `--compare` prints `same` or the first difference of each run and
exits 1 when any differs.
"""
import argparse, json, sys, tempfile, time
from pathlib import Path
import torch

TINY = dict(dataset='digits', limit=64, epochs=2, batch_size=16, channels=4, layers=3, seed=0, device='cpu')
WALL_CLOCK = ('epoch_time', 'time_s')


def runs():
    "(name, search overrides) of every fingerprinted run"
    from rome_nb.methods import methods_for
    out = [(f"{m}/s1", dict(method=m, space='s1')) for m in methods_for('s1')]
    out += [(f"{m}/1shot1-s1-skip", dict(method=m, space='1shot1-s1-skip')) for m in methods_for('1shot1-s1-skip')]
    out += [('rome-v2/s3', dict(method='rome-v2', space='s3')), ('darts/s3', dict(method='darts', space='s3')),
            ('rome-v2/s4', dict(method='rome-v2', space='s4')), ('rome-v2/s0-k3', dict(method='rome-v2', space='s0', k=3)),
            ('rome-v2/stacked', dict(method='rome-v2', space='s1', k=3, sample_batch=3)),
            ('rome-v2/no-td', dict(method='rome-v2', space='s1', td=False)),
            ('rome-v2/no-ga', dict(method='rome-v2', space='s1', ga_weights=False, ga_arch=False)),
            ('rome-v2/mean', dict(method='rome-v2', space='s1', weight_reduce='mean')),
            ('rdarts-l2/reg', dict(method='rdarts-l2', space='s1', reg=2.7e-3)),
            ('rdarts-dp/reg', dict(method='rdarts-dp', space='s1', reg=0.6)),
            ('rome-v2/1shot1-s3-skip', dict(method='rome-v2', space='1shot1-s3-skip', k=3)),
            ('rome-v2-soft/1shot1-s1-skip', dict(method='rome-v2', space='1shot1-s1-skip', output_node='soft')),
            ('rome-v2-soft/1shot1-s2', dict(method='rome-v2', space='1shot1-s2', output_node='soft', k=3)),
            ('gdas/1shot1-s3', dict(method='gdas', space='1shot1-s3'))]
    return out


def fingerprint(name, over, root):
    from rome_nb.search import search
    out = Path(root)/name.replace('/', '_')
    t0 = time.perf_counter()
    search('quick', **{**TINY, **over, 'out': str(out)}, show_progress=False)
    log = [{k: v for k, v in json.loads(l).items() if k not in WALL_CLOCK}
           for l in (out/'log.jsonl').read_text().splitlines() if l.strip()]
    return dict(genotype=json.loads((out/'genotype.json').read_text()), log=log), time.perf_counter() - t0


def first_difference(a, b, path=''):
    "Where `a` and `b` first differ (None: equal)"
    if type(a) != type(b): return f"{path}: {a!r} vs {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b: return f"{path}.{k}: only in {'new' if k in b else 'recorded'}"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d: return d
        return None
    if isinstance(a, list):
        if len(a) != len(b): return f"{path}: length {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d: return d
        return None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--out', help='write the fingerprints to this JSON file')
    g.add_argument('--compare', help='compare with the fingerprints in this JSON file')
    ap.add_argument('--only', default=None, help='comma-separated run names (default: all)')
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    todo = runs()
    if a.only: todo = [(n, o) for n, o in todo if n in a.only.split(',')]
    recorded = json.loads(Path(a.compare).read_text()) if a.compare else None
    result, bad = {}, 0
    with tempfile.TemporaryDirectory() as root:
        for name, over in todo:
            fp, secs = fingerprint(name, over, root)
            result[name] = fp
            if recorded is None: print(f"{name}: recorded ({secs:.1f} s)", flush=True); continue
            if name not in recorded: print(f"{name}: not in the recording ({secs:.1f} s)", flush=True); continue
            d = first_difference(recorded[name], fp)
            bad += d is not None
            print(f"{name}: {'same' if d is None else 'DIFFERS at ' + d} ({secs:.1f} s)", flush=True)
    if a.out: Path(a.out).write_text(json.dumps(result, indent=1) + '\n')
    else: print(f"{len(result) - bad} of {len(result)} runs the same as recorded")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
