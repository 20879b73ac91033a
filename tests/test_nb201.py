"""NAS-Bench-201 (`rome_nb.nb201`): the round trip over the shared accuracy table (skipped when it is absent), the
`nats_bench` adapter against a stand-in module, and the one-line errors of the readers on hostile input."""
import os, sys, types
from pathlib import Path
import pytest
from rome_nb.nb201 import (NB201Arch, NB201Record, NB201Table, UnknownArchError, PUBLISHED_CIFAR10, all_archs)

REPO = Path(__file__).resolve().parents[1]
NAME = 'cifar10_valid_200ep.csv'
EXAMPLE = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'
SKIP6, NONE6 = NB201Arch(('skip_connect',) * 6), NB201Arch(('none',) * 6)


def shared_table():
    "The shared CSV (`$ROME_DATA/nb201`, else `../shared/data/nb201` beside the repository), or skip"
    dirs = ([Path(os.environ['ROME_DATA'])/'nb201'] if os.environ.get('ROME_DATA') else []) + [REPO.parent/'shared'/'data'/'nb201']
    for d in dirs:
        if (d/NAME).is_file(): return d/NAME
    pytest.skip(f'the shared NAS-Bench-201 table ({NAME}) is absent')


@pytest.fixture(scope='module')
def table(): return NB201Table.load(shared_table())


def test_shared_table_round_trip(table):
    strs = table.arch_strs()
    assert len(table) == len(set(strs)) == 15_625
    assert set(strs) == {a.arch_str for a in all_archs()}
    for s in strs:
        a = NB201Arch.from_arch_str(s)
        assert a.arch_str == s and NB201Arch.from_json(a.to_json()) == a


def test_shared_table_facts(table):
    assert round(table.optimum('valid_acc'), 2) == PUBLISHED_CIFAR10['optimum'][0] == 91.61
    assert round(table.lookup(SKIP6).valid_acc, 2) == PUBLISHED_CIFAR10['DARTS-V1'][0] == 39.77
    none6 = table.lookup(NONE6.arch_str)
    assert abs(none6.valid_acc - 10) < 1 and abs(none6.test_acc - 10) < 1
    cut = {table.lookup(a).valid_acc for a in all_archs() if not a.is_connected()}
    assert cut == {none6.valid_acc}                                        # cut off from the input: chance, all alike


def _write(path, text=None, data=None):
    if data is not None: path.write_bytes(data)
    else: path.write_text(text)
    return path


HEAD = 'arch_str,valid_acc,test_acc\n'

@pytest.mark.parametrize('name,data,msg', [
    ('huge.csv', HEAD + EXAMPLE + ',90,' + 'x' * 200_000 + '\n', 'is not a readable CSV file: line 2: field larger than field limit'),
    ('nul.csv', '\x00' * 64, "lacks column 'arch_str'; found columns: '\\x00"),
    ('zip.csv', b'PK\x03\x04\x14\x00\x00\x00\x08\x00\xb7', 'is not a text CSV file: byte 0xb7 at offset 10 is not UTF-8'),
    ('other.csv', HEAD + '|conv3x3-bn-relu~0|+|maxpool3x3~0|skip-connect~1|+|none~0|none~1|none~2|,90,91\n',
     "line 2 is not a NAS-Bench-201 cell (a table of another space?): unknown op 'conv3x3-bn-relu' on edge 0->1"),
    ('neg.csv', HEAD + EXAMPLE + ',-1,91\n', "line 2: valid_acc '-1' is not a percentage in [0, 100]"),
    ('inf.csv', HEAD + EXAMPLE + ',90,inf\n', "line 2: test_acc 'inf' is not a percentage in [0, 100]"),
])
def test_csv_errors_are_one_line(tmp_path, name, data, msg):
    f = _write(tmp_path/name, **({'data': data} if isinstance(data, bytes) else {'text': data}))
    with pytest.raises(ValueError) as e: NB201Table.load(f)
    assert msg in str(e.value) and '\n' not in str(e.value) and str(f) in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"NAS-Bench-201 table '.*nope.csv' does not exist"): NB201Table.load(tmp_path/'nope.csv')
    with pytest.raises(FileNotFoundError, match=r"NATS-Bench file '.*nope' does not exist"): NB201Table.load(tmp_path/'nope')


def _fake_nats(n=15_625, first=None, valid=True, drop=()):
    "A stand-in `nats_bench` with the API's names and signatures; every call is recorded in `calls`"
    keys = [a.arch_str for a in all_archs()]
    index, calls = {s: i for i, s in enumerate(keys) if s not in drop}, []
    class API:
        def __len__(self): return n
        def arch(self, i): return first or keys[i]
        def query_index_by_arch(self, arch): calls.append(('index', arch)); return index.get(arch, -1)
        def get_more_info(self, index, dataset, iepoch=None, hp='12', is_random=True):
            calls.append(('info', index, dataset, iepoch, hp, is_random))
            d = {'train-accuracy': 99.0, 'test-accuracy': 90.0 + index / 1e5}
            if valid: d['valid-accuracy'] = 80.0 + index / 1e5
            return d
    mod = types.ModuleType('nats_bench')
    def create(file_path_or_dict, search_space, fast_mode=False, verbose=True):
        calls.append(('create', file_path_or_dict, search_space, fast_mode, verbose)); return API()
    mod.create, mod.calls = create, calls
    return mod


def test_nats_adapter_calls_the_api_as_documented(tmp_path, monkeypatch):
    fake = _fake_nats()
    monkeypatch.setitem(sys.modules, 'nats_bench', fake)
    (tmp_path/'NATS-tss-v1_0-3ffb9-simple').mkdir()
    t = NB201Table.load(tmp_path/'NATS-tss-v1_0-3ffb9-simple')
    assert fake.calls == [('create', str(tmp_path/'NATS-tss-v1_0-3ffb9-simple'), 'tss', True, False)]
    i = [a.arch_str for a in all_archs()].index(EXAMPLE)
    assert t.lookup(NB201Arch.from_arch_str(EXAMPLE)) == NB201Record(EXAMPLE, 80.0 + i / 1e5, 90.0 + i / 1e5, 99.0)
    assert fake.calls[1:] == [('index', EXAMPLE), ('info', i, 'cifar10-valid', None, '200', False)]
    t.lookup(EXAMPLE)
    assert len(fake.calls) == 3                                            # cached
    f = _write(tmp_path/'NATS-tss-v1_0-3ffb9.pickle.pbz2', data=b'')
    NB201Table.load(f, dataset='cifar100', hp=12).lookup(EXAMPLE)
    assert fake.calls[3] == ('create', str(f), 'tss', False, False)       # one file: read whole
    assert fake.calls[-1] == ('info', i, 'cifar100', None, '12', False)


def test_nats_adapter_errors(tmp_path, monkeypatch):
    d = tmp_path/'archive'; d.mkdir()
    monkeypatch.setitem(sys.modules, 'nats_bench', _fake_nats(n=32_768, first='8:16:24:32:40'))
    with pytest.raises(ValueError, match=r"is not NATS-Bench's topology space .* it holds 32,768 architectures, the first '8:16:24:32:40'"):
        NB201Table.load(d)
    monkeypatch.setitem(sys.modules, 'nats_bench', _fake_nats(valid=False))
    t = NB201Table.load(d, dataset='cifar10')
    assert t.lookup(EXAMPLE).valid_acc is None
    with pytest.raises(ValueError, match=r"this table has no valid_acc \(nats_bench '.*archive' \(cifar10, hp=200\)\)"): t.best()
    monkeypatch.setitem(sys.modules, 'nats_bench', _fake_nats(drop=(EXAMPLE,)))
    with pytest.raises(UnknownArchError, match=r"cell '\|nor_conv_3x3~0\|.*' is not in this table \(15,625 cells, nats_bench"):
        NB201Table.load(d).lookup(EXAMPLE)
    monkeypatch.setitem(sys.modules, 'nats_bench', None)                  # not installed
    with pytest.raises(ModuleNotFoundError, match=r"needs the optional package nats_bench: pip install 'rome_nb\[nats\]'"):
        NB201Table.load(d)


def test_hostile_arch_json():
    for text, msg in [('[' * 100_000 + ']' * 100_000, 'nested too deeply'), ('{"space": "nb201", "arch_str": 1, "ops": []}', 'has 6 ops'),
                      ('{"space": ["nb201"], "arch_str": "", "ops": []}', "space must be 'nb201'"), ('"' + EXAMPLE + '"', 'got str')]:
        with pytest.raises(ValueError, match=msg): NB201Arch.from_json(text)
