"""A checkpoint's fields are checked against the run before anything is restored or written: an epoch outside
1..epochs, a history that does not match it, a model whose tensors are missing or of another shape, a method or space
of another run. Each is refused in one line, and the run folder is left exactly as it was."""
import shutil
from dataclasses import replace
from pathlib import Path
import pytest, torch
from rome_nb.runs import atomic_save
from rome_nb.train import train, get_preset
from rome_nb.search import search

CFG = get_preset('quick', layers=3, channels=4, epochs=3, batch_size=32, limit=64, device='cpu')

@pytest.fixture(scope='module')
def partial(tmp_path_factory):
    "A training and a search stopped after epoch 1 of 3"
    d = tmp_path_factory.mktemp('partial')
    train(replace(CFG, out=str(d/'train')), stop_after=1, show_progress=False, verbose=False)
    search('quick', out=str(d/'search'), epochs=3, limit=64, layers=2, channels=4, k=1, batch_size=32, device='cpu',
           show_progress=False, stop_after=1)
    return d

def snapshot(folder): return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}

def edited(partial, tmp_path, kind, **fields):
    "A copy of the partial run whose checkpoint has `fields` changed (a callable gets the old value)"
    out = tmp_path/kind
    shutil.copytree(partial/kind, out)
    ck = torch.load(out/'checkpoint.pt', weights_only=True)
    for k, v in fields.items(): ck[k] = v(ck[k]) if callable(v) else v
    atomic_save(ck, out/'checkpoint.pt')
    return out

def resume(kind, out):
    if kind == 'train': return train(replace(CFG, out=str(out)), resume=True, show_progress=False, verbose=False)
    return search('quick', out=str(out), epochs=3, limit=64, layers=2, channels=4, k=1, batch_size=32, device='cpu',
                  show_progress=False, resume=True)

def wrong_shape(model):
    k = next(k for k, v in model.items() if v.dim() == 4)
    return {**model, k: torch.zeros(1, *model[k].shape[1:])}

CASES = [   # (kind, fields, what the one line says after "checkpoint '<path>' ")
    ('train', dict(epoch=-5), 'does not fit this run: epoch -5; expected an int in 1..3'),
    ('train', dict(epoch=10**6), 'does not fit this run: epoch 1000000; expected an int in 1..3'),
    ('train', dict(epoch=2), 'does not fit this run: epoch 2 but its history holds 1 record; expected one record per epoch'),
    ('train', dict(epoch='1'), "does not fit this run: epoch '1'; expected an int in 1..3"),
    ('train', dict(model={}), 'does not fit this run: its model lacks '),
    ('train', dict(model=wrong_shape), 'does not fit this run: its model has 1 of another shape (first '),
    ('train', dict(history=lambda h: [{**h[0], 'epoch': 7}]), 'does not fit this run: history record 1 is '),
    ('train', dict(rng={}), 'holds a damaged random-number state'),
    ('search', dict(epoch=-5), 'does not fit this run: epoch -5; expected an int in 1..3'),
    ('search', dict(model={}), 'does not fit this run: its model lacks '),
    ('search', dict(arch=lambda a: {k: v[:1] for k, v in a.items()}), 'does not fit this run: its arch has 4 of another shape'),
    ('search', dict(config=lambda c: {**c, 'method': 'gdas'}), 'checkpoint.pt belongs to other settings than config.json'),
    ('search', dict(config=lambda c: {**c, 'space': 's0'}), 'checkpoint.pt belongs to other settings than config.json'),
]

@pytest.mark.parametrize('kind,fields,says', CASES, ids=[f"{k}-{'-'.join(f)}-{i}" for i, (k, f, _) in enumerate(CASES)])
def test_a_bad_checkpoint_field_is_refused(partial, tmp_path, kind, fields, says):
    out = edited(partial, tmp_path, kind, **fields)
    before = snapshot(out)
    with pytest.raises(ValueError) as e: resume(kind, out)
    msg = str(e.value)
    assert says in msg and '\n' not in msg and len(msg) < 400, msg
    assert snapshot(out) == before          # nothing written, no lock left

def test_an_intact_checkpoint_resumes(partial, tmp_path):
    out = edited(partial, tmp_path, 'train')
    assert [h['epoch'] for h in resume('train', out).history] == [1, 2, 3]
