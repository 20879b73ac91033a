"""Protocols are registered objects: one registered at run time runs through `run_protocol`, is named in the error of
`rome_protocol` for an unknown protocol and refuses options it does not take; a method registered at run time can be
named in `--methods`; a taken name is refused."""
import csv
from types import SimpleNamespace
import pytest
from rome_nb import protocols as P
from rome_nb.launch import rome_protocol
from rome_nb.methods import register, method_names
from rome_nb.methods.base import _REGISTRY
from rome_nb.methods.gdas import GDASMethod


class SquaresProtocol(P.Protocol):
    "A toy protocol without searches: each job squares its seed; a row per parity"
    name, title = 'squares', 'Squares of the seeds'
    scales = ('tiny',)
    takes = ('seeds',)
    defaults = dict(seeds=(0, 1, 2))
    group_keys = ('parity',)

    def plan(self, seeds=None, datasets=None, spaces=None, methods=None, ks=None, scale='tiny', search_epochs=None,
             train_epochs=None, device='auto', data_root=None):
        o = self.options(seeds, datasets, spaces, methods, ks, scale, search_epochs, train_epochs)
        return [SimpleNamespace(name=f'seed{s}', seed=s, parity='odd' if s % 2 else 'even') for s in o['seeds']]

    def paper_columns(self, key): return dict(paper='none' if key['parity'] == 'odd' else 'zero')

    def run(self, seeds=None, datasets=None, spaces=None, methods=None, ks=None, scale='tiny', out=None, device='auto',
            resume=False, search_epochs=None, train_epochs=None, data_root=None, show_progress=False, verbose=True,
            overwrite=False, jobs=1):
        todo = self.plan(seeds, datasets, spaces, methods, ks, scale, search_epochs, train_epochs, device, data_root)
        root, jobs = self.start(out, scale, device, jobs)
        root.mkdir(parents=True)
        runs = [dict(name=j.name, seed=j.seed, parity=j.parity, square=j.seed ** 2) for j in todo]
        rows = self.summarize(runs)
        return P.ProtocolResult(self.name, scale, root, rows, runs, [], self.write(root, rows, runs, scale))


@pytest.fixture
def squares(monkeypatch):
    "SquaresProtocol registered for one test (the registry is restored afterwards)"
    monkeypatch.setattr(P, '_PROTOCOLS', dict(P._PROTOCOLS))
    P.register_protocol(SquaresProtocol)
    return P.get_protocol('squares')


def test_registered_at_run_time_runs_through_run_protocol(tmp_path, squares):
    assert P.protocol_names() == ('s0', 'table1', 'k-ablation', 'memory', 'collapse', 'nb201', 'squares')
    res = P.run_protocol('squares', seeds='4', scale='tiny', out=tmp_path/'sq')
    assert [(r['parity'], r['runs'], r['paper']) for r in res.rows] == [('even', 2, 'zero'), ('odd', 2, 'none')]
    assert [r['square'] for r in res.runs] == [0, 1, 4, 9] and res.failed == [] and res.run_dir == tmp_path/'sq'
    assert res.markdown.startswith('## Squares of the seeds\n') and '| even | 2 | zero |' in res.markdown
    assert (tmp_path/'sq'/'results.md').read_text() == res.markdown
    assert [r['name'] for r in csv.DictReader(open(tmp_path/'sq'/'runs.csv'))] == ['seed0', 'seed1', 'seed2', 'seed3']
    assert P.run_protocol(squares, seeds='7,', scale='tiny', out=tmp_path/'one').rows == [dict(parity='odd', runs=1, paper='none')]


def test_the_command_knows_it(tmp_path, squares, capsys):
    with pytest.raises(ValueError, match=r"^unknown protocol 'nope'; expected one of: s0, table1, k-ablation, memory, collapse, nb201, squares$"):
        rome_protocol('nope')
    assert rome_protocol('squares', scale='tiny', seeds='2', out=str(tmp_path/'d'), dry_run=True) == 0
    assert capsys.readouterr().out == f"2 jobs of protocol 'squares' at scale 'tiny' -> {tmp_path/'d'}\n  seed0\n  seed1\n"
    assert not (tmp_path/'d').exists()
    for over, says in ((dict(methods='gdas'), "--methods means nothing for protocol 'squares'; it is for s0, table1, k-ablation, collapse, nb201"),
                       (dict(train_epochs=3), "--train-epochs means nothing for protocol 'squares'; it is for s0, table1, k-ablation"),
                       (dict(scale='paper'), "unknown scale 'paper' for protocol 'squares'; expected one of: tiny")):
        with pytest.raises(ValueError) as e: rome_protocol('squares', **{'scale': 'tiny', **over, 'dry_run': True})
        assert str(e.value) == says


def test_a_taken_name_is_refused(squares):
    other = type('SquaresProtocol2', (SquaresProtocol,), {})
    with pytest.raises(ValueError, match="protocol 'squares' is already registered \\(SquaresProtocol\\); choose another name"):
        P.register_protocol(other)
    P.register_protocol(SquaresProtocol)                  # the same class again (a re-run cell) replaces it
    assert P.get_protocol('squares') is not squares and P.protocol_names().count('squares') == 1


@pytest.fixture
def late_method():
    "A method registered after rome_nb.protocols was imported (removed from the registry afterwards)"
    class LateGDAS(GDASMethod):
        "GDAS under another name"
        name, label = 'gdas-late', 'GDAS (registered late)'
    register(LateGDAS)
    yield 'gdas-late'
    _REGISTRY.pop('gdas-late', None)


def test_a_method_registered_at_run_time_can_be_named(late_method):
    assert late_method in method_names()
    for name in ('s0', 'table1'):
        jobs = P.plan(name, methods=f'rome-v2,{late_method}', seeds='0,', scale='tiny', spaces='s2' if name == 'table1' else None)
        assert [j.search.method for j in jobs if j.dataset == 'cifar10'] == ['rome-v2', late_method]
    assert [j.arm for j in P.plan('collapse', methods=late_method, scale='tiny')] == [late_method]
    assert P.get_protocol('nb201').options(methods=f'darts,{late_method}', scale='tiny')['methods'] == ('darts', late_method)
    assert late_method in P.get_protocol('s0').options(methods=late_method)['methods']
    with pytest.raises(ValueError, match=f"method 'nope' is not part of protocol 's0'; expected one of: .*, {late_method}$"):
        P.plan('s0', methods='nope')
    with pytest.raises(ValueError, match=f"method '{late_method}' is not part of protocol 'k-ablation'"):   # it samples one path
        P.plan('k-ablation', methods=late_method)


def _made_up_nb201_table(path):
    "Every NAS-Bench-201 cell with a made-up accuracy (a protocol taking --table, nb201, needs all of them)"
    from rome_nb.nb201 import all_archs
    path.write_text('\n'.join(['arch_str,valid_acc,test_acc'] + [f"{a.arch_str},{50 + i % 40},{49 + i % 40}" for i, a in enumerate(all_archs())]) + '\n')
    return path

@pytest.mark.parametrize('name', P.protocol_names())
def test_every_protocol_describes_its_dry_run(name, tmp_path):
    p = P.get_protocol(name)
    paths = dict(table=_made_up_nb201_table(tmp_path/'t.csv')) if 'table' in p.takes else {}
    text = p.describe(seeds='1,', scale='tiny', out=tmp_path/'x', **paths)
    assert f"protocol '{name}' at scale 'tiny' -> {tmp_path/'x'}" in text, text
    assert not (tmp_path/'x').exists()
