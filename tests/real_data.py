"""Real CIFAR-10 for tests, notebooks and benchmarks, when a local copy exists.

The copy is a folder of JPEG shards (`train_00..11.npz`, `test_00..02.npz`) with its own `decode.py`, outside the
project: the folder named by `ROME_SHARDS`, else `../shared/data/cifar10` beside the repository. It is converted
ONCE, by that `decode.py` run with this Python, into the `.npz` layout `rome_nb.data` reads
(`x_train, y_train, x_test, y_test`, uint8) in a cache outside the repository; callers pass that file as the dataset.
Without the shard folder every function here returns None, so callers skip. The library itself never looks there.
"""
import os, subprocess, sys, tempfile
from pathlib import Path

__all__ = ['cifar10_shards', 'real_cifar10_npz', 'CACHE', 'NPZ_NAME']

REPO = Path(__file__).resolve().parents[1]
CACHE = Path('~/.cache/rome_nb').expanduser()
NPZ_NAME = 'cifar10-from-shards.npz'


def cifar10_shards():
    "The CIFAR-10 shard folder (`ROME_SHARDS`, else `../shared/data/cifar10` beside the repository), or None if absent."
    env = os.environ.get('ROME_SHARDS')
    d = Path(env).expanduser() if env else REPO.parent/'shared'/'data'/'cifar10'
    if (d/'decode.py').is_file() and (d/'train_00.npz').is_file(): return d
    if env:
        raise FileNotFoundError(f"ROME_SHARDS='{env}' holds no CIFAR-10 shards (decode.py, train_00.npz); "
                                "point it at the shard folder or unset it")
    return None


def real_cifar10_npz(cache=None):
    "Path of the real CIFAR-10 as one .npz (x_train, y_train, x_test, y_test), converted once from the shards; None without them."
    src = cifar10_shards()
    if src is None: return None
    cache = Path(cache).expanduser() if cache is not None else CACHE
    out = cache/NPZ_NAME
    if out.is_file(): return out
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{NPZ_NAME}.', suffix='.npz', dir=cache)   # same folder: os.replace is atomic
    os.close(fd)
    try:
        r = subprocess.run([sys.executable, str(src/'decode.py'), tmp], capture_output=True, text=True)
        if r.returncode != 0:
            last = (r.stderr or r.stdout).strip().splitlines()[-1:] or ['no output']
            raise RuntimeError(f"'{src/'decode.py'}' failed with exit code {r.returncode}: {last[0]}")
        os.chmod(tmp, 0o644)                                    # mkstemp makes it private; the cache is a shared read
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp): os.unlink(tmp)
    return out
