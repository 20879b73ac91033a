"""NAS-Bench-1Shot1 spaces through the normal search API and commands: `search()` and `rome_search` with GDAS and
ROME-v2, a stopped search resumed to the same result, the collapse protocol from the shell, and one-line errors."""
import csv, json, subprocess
from pathlib import Path
import pytest, torch
from cli import cli_cmd, quiet_env, assert_one_line_error
from rome_nb.search import search
from rome_nb.nb1shot1 import NB1Shot1Arch

TINY = dict(epochs=3, limit=128, C=4, layers=3, batch_size=16, tau_min=1.)

def _run(script, module, args, cwd, timeout=180):
    p = subprocess.run(cli_cmd(script, module) + list(args), cwd=cwd, env=quiet_env(), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr

@pytest.mark.parametrize('method,space', [('rome-v2', '1shot1-s1-skip'), ('gdas', '1shot1-s3-skip')])
def test_stopped_search_resumes_to_the_same_cell(tmp_path, method, space):
    cfg = dict(method=method, space=space, seed=3, show_progress=False, **TINY)
    full = search('quick', out=str(tmp_path/'full'), **cfg)
    search('quick', out=str(tmp_path/'cut'), stop_after=1, **cfg)          # stops after epoch 1's checkpoint
    assert not (tmp_path/'cut'/'genotype.json').exists()
    resumed = search('quick', out=str(tmp_path/'cut'), resume=True, **cfg)
    assert resumed.genotype == full.genotype and isinstance(full.genotype, NB1Shot1Arch)
    a, b = (torch.load(tmp_path/d/'checkpoint.pt', map_location='cpu', weights_only=True) for d in ('full', 'cut'))
    assert sorted(a['arch']) == sorted(b['arch']) and 'alphas_ops' in a['arch']
    for n in a['arch']: assert torch.equal(a['arch'][n], b['arch'][n]), n
    assert [r['num_skip'] for r in resumed.history] == [r['num_skip'] for r in full.history]
    assert NB1Shot1Arch.from_json((tmp_path/'cut'/'genotype.json').read_text()) == full.genotype

def test_rome_search_gdas_on_1shot1(tmp_path):
    code, out, err = _run('rome_search', 'rome_nb.search', ['--space', '1shot1-s2-skip', '--method', 'gdas', '--epochs', '2',
                          '--limit', '128', '--channels', '4', '--layers', '3', '--out', 'r', '--quiet'], tmp_path)
    assert code == 0, err
    for f in ('genotype.json', 'log.jsonl', 'collapse.png', 'genotype.png', 'checkpoint.pt', 'config.json'): assert (tmp_path/'r'/f).is_file(), f
    g = NB1Shot1Arch.from_json((tmp_path/'r'/'genotype.json').read_text())
    assert g.space == '1shot1-s2-skip' and f"cell (1shot1-s2-skip): " in out and 'parameter-free ops of 4' in out

def test_rome_search_refuses_darts_on_1shot1(tmp_path):
    assert_one_line_error(_run('rome_search', 'rome_nb.search', ['--space', '1shot1-s1-skip', '--method', 'darts', '--out', 'r'], tmp_path),
                          "method 'darts' (mixture sampler) does not search nb1shot1 space '1shot1-s1-skip'", 'methods for it: rome-v2, gdas')
    assert not (tmp_path/'r').exists()

def test_collapse_protocol_tiny(tmp_path):
    args = ['collapse', '--scale', 'tiny', '--out', 'c', '--quiet']
    code, out, err = _run('rome_protocol', 'rome_nb.protocols', args, tmp_path)
    assert code == 0, err
    root = tmp_path/'c'
    for f in ('protocol.json', 'epochs.csv', 'results.md', 'collapse.png'): assert (root/f).is_file(), f
    rows = list(csv.DictReader(open(root/'epochs.csv')))
    assert sorted({(r['arm'], r['epoch']) for r in rows}) == [(m, str(e)) for m in ('gdas-1shot1', 'rome-v2') for e in (1, 2, 3)]
    assert all(int(r['num_param_free']) == int(r['num_skip']) + int(r['num_maxpool']) <= 4 for r in rows)
    assert '| 1shot1-s1-skip | GDAS (NB-1Shot1 code) | 0 |' in out and '1shot1-s1-skip: GDAS (NB-1Shot1 code)' in out
    assert_one_line_error(_run('rome_protocol', 'rome_nb.protocols', args, tmp_path), "already holds protocol 'collapse'")
    code, out2, err = _run('rome_protocol', 'rome_nb.protocols', args + ['--resume'], tmp_path)   # both jobs read back
    assert code == 0, err
    assert list(csv.DictReader(open(root/'epochs.csv'))) == rows
    assert_one_line_error(_run('rome_protocol', 'rome_nb.protocols', ['collapse', '--train-epochs', '2'], tmp_path),
                          "--train-epochs means nothing for protocol 'collapse'")

def test_search_config_checks_method_and_space():
    from rome_nb.search import SearchConfig
    from rome_nb.methods import build_supernet
    with pytest.raises(ValueError, match=r"method 'rome-v1' \(pairs sampler\) does not search nb1shot1 space '1shot1-s2', .*; methods for it: rome-v2, gdas"):
        SearchConfig(space='1shot1-s2', method='rome-v1')
    # ROME without topology disentanglement (Table 6's ablation) is GDAS' sampler, which this space applies
    assert build_supernet('rome-v2', '1shot1-s1-skip', C=4, layers=3, td=False).spec.sampler == 'ops'
    SearchConfig(space='1shot1-s1-skip', td=False)
    with pytest.raises(ValueError, match="unknown space 's9'; expected one of: s0, darts, s1, s2, s3, s4, 1shot1-s1"):
        SearchConfig(space='s9')
    assert type(build_supernet('gdas', '1shot1-s1', C=4, layers=3)).__name__ == 'NB1Shot1SearchNet'
