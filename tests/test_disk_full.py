"""A full disk at each write of a search and a training (in-process: the disk fills half way through one write of one
run file): one line naming the file and the space, no temporary file left, the earlier files whole, and the run
resumes (or, when it had written nothing yet, runs again) to the same end as an uninterrupted run."""
import errno, os, pathlib
from pathlib import Path
import pytest, torch
import rome_nb.runs as runs
from rome_nb.train import train, get_preset
from rome_nb.search import search

EPOCHS = 2
def run_train(out, **kw):
    return train(get_preset('quick', layers=3, channels=4, epochs=EPOCHS, batch_size=32, limit=64, device='cpu', out=str(out)),
                 show_progress=False, verbose=False, **kw)
def run_search(out, **kw):
    return search('quick', out=str(out), epochs=EPOCHS, limit=64, layers=2, channels=4, k=1, batch_size=32, device='cpu',
                  show_progress=False, **kw)
RUN = {'train': run_train, 'search': run_search}
CLOCK = {'train': 'time_s', 'search': 'epoch_time'}

@pytest.fixture(scope='module')
def reference(tmp_path_factory):
    "Uninterrupted runs"
    d = tmp_path_factory.mktemp('ref')
    for kind, f in RUN.items(): f(d/kind)
    return d

@pytest.fixture
def full_disk(monkeypatch):
    "`full_disk(name, nth)`: the `nth` write of run file `name` finds the disk full half way through"
    def arm(name, nth=1):
        seen, write, write_bytes = [0], getattr(runs, '_write_fd', None), pathlib.Path.write_bytes
        def hit(path):
            if Path(path).name not in (name, f'.{name}.tmp'): return False
            seen[0] += 1
            return seen[0] == nth
        def full_write(fd, data, path):
            if not hit(path): return write(fd, data, path)
            view = memoryview(data).cast('B'); os.write(fd, bytes(view[:len(view) // 2]))
            raise OSError(errno.ENOSPC, 'No space left on device')
        def full_write_bytes(self, data):          # a job's own file written without the runs helpers (a search's plots)
            if not hit(self): return write_bytes(self, data)
            write_bytes(self, data[:len(data) // 2]); raise OSError(errno.ENOSPC, 'No space left on device', str(self))
        monkeypatch.setattr(runs, '_write_fd', full_write, raising=False)    # where every run file's bytes are written
        monkeypatch.setattr(pathlib.Path, 'write_bytes', full_write_bytes)
        return monkeypatch.undo
    return arm

def state(out):
    ck = torch.load(Path(out)/'checkpoint.pt', weights_only=True)
    return ck['epoch'], ck['model'], [{k: v for k, v in r.items() if k not in CLOCK.values()} for r in ck['history']]

def lines(out): return [r['epoch'] for r in runs.JsonlLogger(Path(out)/'log.jsonl').read()]

@pytest.mark.parametrize('kind,name,nth,done,logged', [      # done, logged: the epochs checkpointed and logged before the disk filled
    ('train', 'config.json', 1, 0, 0), ('train', 'genotype.json', 1, 1, 1), ('train', 'checkpoint.pt', 1, 0, 0),
    ('train', 'checkpoint.pt', 2, 1, 1), ('train', 'log.jsonl', 1, 1, 0), ('train', 'log.jsonl', 2, 2, 1),
    ('train', 'curves.png', 1, 2, 2), ('train', 'model.pt', 1, 2, 2),
    ('search', 'config.json', 1, 0, 0), ('search', 'checkpoint.pt', 2, 1, 1), ('search', 'log.jsonl', 1, 1, 0),
    ('search', 'collapse.png', 1, 1, 1), ('search', 'genotype.png', 2, 2, 2), ('search', 'genotype.json', 1, 2, 2),
])
def test_full_disk(tmp_path, reference, full_disk, kind, name, nth, done, logged):
    out = tmp_path/'run'
    disarm = full_disk(name, nth)
    with pytest.raises(OSError) as e: RUN[kind](out)
    disarm()
    msg = str(e.value)
    assert msg.startswith(f"no space left on device writing '{out/name}' (") and ' free' in msg and '\n' not in msg, msg
    assert e.value.errno == errno.ENOSPC
    assert not list(Path(out).glob('.*.tmp')) and not (out/'.lock').exists()
    assert (state(out)[0] if (out/'checkpoint.pt').exists() else 0) == done     # the files before the full one are whole
    assert (lines(out) if (out/'log.jsonl').exists() else []) == list(range(1, logged + 1))
    assert msg.endswith('; free some space, then continue with --resume' if (out/'config.json').exists() else '; free some space and run it again'), msg
    RUN[kind](out, resume=(out/'config.json').exists())         # nothing written yet (config.json): run it again
    assert lines(out) == list(range(1, EPOCHS + 1))
    got, want = state(out), state(reference/kind)
    assert got[0] == want[0] and got[2] == want[2]
    assert all(torch.equal(got[1][k], want[1][k]) for k in want[1]) and got[1].keys() == want[1].keys()
    for f in ('genotype.json', 'model.pt' if kind == 'train' else 'collapse.png'): assert (out/f).exists()
    if kind == 'train': assert (out/'model.pt').read_bytes() == (reference/kind/'model.pt').read_bytes()
