"""`--tensorboard` on `rome_search`, `rome_train` and `rome_protocol`: event files in `tb/` of each run folder, read back
with TensorBoard's own reader (`EventAccumulator`): the scalar tags are the numbers of the run's log.jsonl and hold its
values epoch by epoch; the architecture weights are one image per epoch; a NAS-Bench-201 search logs its derived cell's
benchmark accuracy (a made-up table here). Without tensorboard installed, `--tensorboard` is one line `error: ...`."""
import json, math, subprocess
from pathlib import Path
import pytest
from cli import cli_cmd, quiet_env, assert_one_line_error

pytest.importorskip('tensorboard', reason="tensorboard is not installed (pip install 'rome_nb[tensorboard]')")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

SEARCH = ['--preset', 'quick', '--k', '1', '--epochs', '2', '--batch-size', '32', '--channels', '4', '--layers', '3',
          '--limit', '128', '--quiet', '--device', 'cpu']
TRAIN = ['--preset', 'quick', '--epochs', '2', '--layers', '3', '--channels', '4', '--batch-size', '32', '--limit', '64',
         '--device', 'cpu', '--quiet']

def _run(script, args, cwd, **env):
    p = subprocess.run(cli_cmd(script) + list(map(str, args)), cwd=cwd, env=quiet_env(**env), capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr

def _events(run: Path) -> EventAccumulator:
    ea = EventAccumulator(str(run/'tb'), size_guidance={'images': 0, 'scalars': 0})
    ea.Reload()
    return ea

def _numbers(rec) -> dict:
    return {k: v for k, v in rec.items() if k != 'epoch' and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}

def _check_matches_log(run: Path, must: set) -> list:
    "The scalars of `run`'s events equal its log.jsonl, tag by tag and epoch by epoch; returns the tags"
    log = [json.loads(l) for l in (run/'log.jsonl').read_text().splitlines()]
    ea = _events(run)
    tags = sorted(ea.Tags()['scalars'])
    assert must <= set(tags), tags
    assert set(tags) == set().union(*(_numbers(r) for r in log)), tags
    for t in tags:
        got = [(e.step, e.value) for e in ea.Scalars(t)]
        want = [(r['epoch'], float(r[t])) for r in log if t in _numbers(r)]
        assert [s for s, _ in got] == [s for s, _ in want], t
        assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6) for (_, a), (_, b) in zip(got, want)), (t, got, want)
    return tags

def test_search_events(tmp_path):
    run = tmp_path/'s'
    code, out, err = _run('rome_search', SEARCH + ['--out', run, '--tensorboard'], tmp_path)
    assert code == 0, err
    tags = _check_matches_log(run, {'train_loss', 'train_acc', 'val_loss', 'val_acc', 'tau', 'num_skip', 'num_param_free'})
    print('search scalar tags:', ', '.join(tags))
    ea = _events(run)
    assert sorted(ea.Tags()['images']) == ['arch/alphas_normal', 'arch/alphas_reduce']
    assert [e.step for e in ea.Images('arch/alphas_normal')] == [1, 2]
    # without the flag: no events
    code, out, err = _run('rome_search', SEARCH + ['--out', tmp_path/'plain'], tmp_path)
    assert code == 0, err
    assert not (tmp_path/'plain'/'tb').exists()

def test_train_events(tmp_path):
    run = tmp_path/'t'
    code, out, err = _run('rome_train', TRAIN + ['--out', run, '--tensorboard'], tmp_path)
    assert code == 0, err
    tags = _check_matches_log(run, {'train_loss', 'train_acc', 'test_loss', 'test_acc', 'lr'})
    print('train scalar tags:', ', '.join(tags))

def test_protocol_events(tmp_path):
    out = tmp_path/'p'
    code, stdout, err = _run('rome_protocol', ['s0', '--scale', 'tiny', '--seeds', '1', '--quiet', '--tensorboard', '--out', out], tmp_path)
    assert code == 0, err
    job = out/'rome-v2-s0-cifar10-seed0'
    _check_matches_log(job/'search', {'val_acc', 'tau', 'num_skip'})
    _check_matches_log(job/'train', {'test_acc'})

def test_nb201_benchmark_accuracy(tmp_path):
    from rome_nb.nb201 import all_archs
    table = tmp_path/'made_up.csv'      # made-up accuracies (not the benchmark's): 40 + 5 per convolution
    table.write_text('\n'.join(['arch_str,valid_acc,test_acc'] + [
        f"{a.arch_str},{40 + 5 * sum('conv' in o for o in a.ops)},{39 + 5 * sum('conv' in o for o in a.ops)}" for a in all_archs()]) + '\n')
    run = tmp_path/'nb'
    code, out, err = _run('rome_search', ['--preset', 'quick', '--space', 'nb201', '--method', 'gdas', '--epochs', '2', '--limit', '128',
                                          '--batch-size', '32', '--channels', '4', '--quiet', '--device', 'cpu', '--table', table,
                                          '--out', run, '--tensorboard'], tmp_path)
    assert code == 0, err
    tags = _check_matches_log(run, {'bench_valid_acc', 'bench_test_acc'})
    print('nb201 search scalar tags:', ', '.join(tags))

def test_without_tensorboard(tmp_path):
    shadow = tmp_path/'shadow'/'tensorboard'          # an installation without tensorboard
    shadow.mkdir(parents=True)
    (shadow/'__init__.py').write_text("raise ImportError('No module named tensorboard')\n")
    pp = f"{tmp_path/'shadow'}:{quiet_env()['PYTHONPATH']}"
    for script, args in (('rome_search', SEARCH), ('rome_train', TRAIN), ('rome_protocol', ['s0', '--scale', 'tiny', '--seeds', '1'])):
        assert_one_line_error(_run(script, args + ['--out', tmp_path/script, '--tensorboard'], tmp_path, PYTHONPATH=pp),
                              '--tensorboard needs the tensorboard package', "pip install 'rome_nb[tensorboard]'")
        assert not (tmp_path/script).exists()
