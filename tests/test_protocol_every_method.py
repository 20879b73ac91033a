"""`rome_protocol s0 --scale tiny` runs every registered method of the DARTS-style spaces end to end (search, then
evaluation training of the found cell) on digits, one job each, and reports one row per method."""
import csv
from rome_nb.methods import methods_for
from test_protocol_cli import _run


def test_every_method_at_tiny_scale(tmp_path):
    methods = list(methods_for('s0'))
    out = tmp_path/'p'
    code, stdout, err = _run(['s0', '--scale', 'tiny', '--seeds', '0,', '--methods', ','.join(methods),
                              '--search-epochs', '1', '--quiet', '--out', str(out)], tmp_path, timeout=900)
    assert code == 0, err[-3000:]
    rows = list(csv.DictReader(open(out/'results.csv')))
    assert sorted(r['method'] for r in rows) == sorted(methods), rows
    for m in methods:
        assert (out/f'{m}-s0-cifar10-seed0'/'search'/'genotype.json').is_file(), m
        assert (out/f'{m}-s0-cifar10-seed0'/'train'/'model.pt').is_file(), m
