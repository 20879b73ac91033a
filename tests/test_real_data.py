"The test-side CIFAR-10 conversion (`tests/real_data.py`), on stand-in shard folders: once, atomic, skipped when absent."
import sys
import numpy as np
import pytest
import real_data
from real_data import cifar10_shards, real_cifar10_npz, NPZ_NAME
from rome_nb.data import load_arrays

# A stand-in for the shard folder's decode.py: writes the four arrays (a tiny set) and counts its runs.
STUB = """import sys, numpy as np
from pathlib import Path
here = Path(__file__).parent
with open(here/'runs.txt', 'a') as f: f.write('run\\n')
if (here/'fail').exists(): sys.exit('decode failed: shard train_03.npz is truncated')
x = np.arange(20 * 4 * 4 * 3, dtype=np.uint8).reshape(20, 4, 4, 3); y = (np.arange(20) % 10).astype(np.uint8)
np.savez(sys.argv[1], x_train=x, y_train=y, x_test=x[:10], y_test=y[:10])
"""

@pytest.fixture
def shards(tmp_path, monkeypatch):
    d = tmp_path/'shards'; d.mkdir()
    (d/'decode.py').write_text(STUB); (d/'train_00.npz').write_bytes(b'')
    monkeypatch.setenv('ROME_SHARDS', str(d))
    return d

def test_absent_folder_skips(tmp_path, monkeypatch):
    monkeypatch.delenv('ROME_SHARDS', raising=False)
    monkeypatch.setattr(real_data, 'REPO', tmp_path/'repo')        # no ../shared/data/cifar10 beside it
    assert cifar10_shards() is None
    assert real_cifar10_npz(cache=tmp_path/'cache') is None
    assert not (tmp_path/'cache').exists()                          # nothing written

def test_default_folder_beside_the_repo(tmp_path, monkeypatch):
    monkeypatch.delenv('ROME_SHARDS', raising=False)
    d = tmp_path/'shared'/'data'/'cifar10'; d.mkdir(parents=True)
    (d/'decode.py').write_text(STUB); (d/'train_00.npz').write_bytes(b'')
    monkeypatch.setattr(real_data, 'REPO', tmp_path/'repo')
    assert cifar10_shards() == d

def test_wrong_env_folder_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv('ROME_SHARDS', str(tmp_path/'nowhere'))
    with pytest.raises(FileNotFoundError, match=r"ROME_SHARDS='.*nowhere' holds no CIFAR-10 shards \(decode.py, train_00.npz\)"):
        cifar10_shards()

def test_converts_once_atomically(tmp_path, shards):
    cache = tmp_path/'cache'
    p = real_cifar10_npz(cache=cache)
    assert p == cache/NPZ_NAME and p.is_file()
    assert sorted(q.name for q in cache.iterdir()) == [NPZ_NAME]     # no temporary file left
    x, y = load_arrays(p); xt, yt = load_arrays(p, split='test')     # the library reads it as a user's .npz
    assert x.shape == (20, 4, 4, 3) and xt.shape == (10, 4, 4, 3) and np.bincount(y).tolist() == [2] * 10
    assert real_cifar10_npz(cache=cache) == p
    assert (shards/'runs.txt').read_text().count('run') == 1         # converted once

def test_failed_conversion_leaves_nothing(tmp_path, shards):
    (shards/'fail').touch()
    cache = tmp_path/'cache'
    with pytest.raises(RuntimeError, match=r"decode.py' failed with exit code 1: decode failed: shard train_03.npz is truncated"):
        real_cifar10_npz(cache=cache)
    assert list(cache.iterdir()) == []                                # no half-written file
    (shards/'fail').unlink()
    assert real_cifar10_npz(cache=cache).is_file()                    # the next call converts
