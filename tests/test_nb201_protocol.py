"""`rome_protocol nb201` from the shell at tiny scale, scored by a MADE-UP table written here (every NAS-Bench-201 cell
with an accuracy computed from its ops, not the benchmark's numbers, so that every number the protocol reports can be
checked): results.csv, results.md and nb201.png; a second start is refused, `--resume` reads the searches back and
resumes a killed one; `--jobs 2` writes the same results.csv but for its wall-clock columns; every bad input is one
line `error: ...`."""
import csv, shutil, subprocess
from dataclasses import replace
import pytest
from cli import cli_cmd, quiet_env, assert_one_line_error
from rome_nb.nb201 import NB201Arch, all_archs

GAIN = {'nor_conv_3x3': 10, 'nor_conv_1x1': 6, 'avg_pool_3x3': 2, 'skip_connect': 1, 'none': 0}
TIMING = ('epoch_s', 'search_s')
BASE = ['nb201', '--scale', 'tiny', '--methods', 'gdas,rome-v2', '--seeds', '2', '--quiet']

def made_up_valid(arch) -> float:
    "A made-up validation accuracy (NOT the benchmark's): chance for a disconnected cell, else 30 + points per op"
    return 30. + sum(GAIN[o] for o in arch.ops) if arch.is_connected() else 10.

@pytest.fixture(scope='module')
def table(tmp_path_factory):
    "A made-up table of all 15,625 cells (test accuracy = validation accuracy - 0.5)"
    p = tmp_path_factory.mktemp('nb201')/'made_up_nb201.csv'
    p.write_text('\n'.join(['arch_str,valid_acc,test_acc'] + [f"{a.arch_str},{made_up_valid(a):.2f},{made_up_valid(a) - 0.5:.2f}"
                                                              for a in all_archs()]) + '\n')
    return p

def _run(args, cwd, timeout=600):
    p = subprocess.run(cli_cmd('rome_protocol', 'rome_nb.protocols') + list(args), cwd=cwd, env=quiet_env(),
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr

def _rows(path, drop=TIMING):
    with open(path) as f: return [{k: v for k, v in r.items() if k not in drop} for r in csv.DictReader(f)]

def test_tiny_run_resume_and_jobs(tmp_path, table):
    out = tmp_path/'nb'
    args = BASE + ['--table', str(table), '--out', str(out)]
    code, stdout, err = _run(args, tmp_path)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ['gdas-seed0', 'gdas-seed1', 'nb201.png', 'protocol.json', 'results.csv',
                                                     'results.md', 'rome-v2-seed0', 'rome-v2-seed1']
    assert (out/'gdas-seed0'/'search'/'genotype.json').is_file() and (out/'nb201.png').stat().st_size > 1000
    rows = _rows(out/'results.csv', ())
    assert list(rows[0])[:6] == ['method', 'seed', 'epoch', 'arch_str', 'valid_acc', 'test_acc'] and set(TIMING) <= set(rows[0])
    assert [(r['method'], r['seed'], r['epoch']) for r in rows] == [(m, s, e) for m in ('gdas', 'rome-v2') for s in '01' for e in '12']
    for r in rows:                                  # every epoch's derived cell, scored by the table
        assert float(r['valid_acc']) == pytest.approx(made_up_valid(NB201Arch.from_arch_str(r['arch_str'])))
        assert float(r['test_acc']) == pytest.approx(float(r['valid_acc']) - 0.5)
    md = (out/'results.md').read_text()
    assert md.strip() in stdout
    assert '| optimum of the table | – | – | 90.00 | 89.50 | – | – | 91.61 | 94.37 |' in md, md      # made-up optimum; the paper's
    finals = {(r['method'], r['seed']): float(r['valid_acc']) for r in rows if r['epoch'] == '2'}
    g = sorted(v for (m, _), v in finals.items() if m == 'gdas')
    assert f"| GDAS | 2 | 2 | {sum(g) / 2:.2f} ± " in md and '| 89.89 ± 0.08 | 93.61 ± 0.09 |' in md, md
    assert '| ROME-v2 vs GDAS | 2, 2 |' in md and 'has the best mean final validation accuracy' in md, md
    # a second start is refused; --resume reads every search back and rewrites the same tables
    assert_one_line_error(_run(args, tmp_path), 'already holds protocol', '--resume')
    code, stdout, err = _run(args + ['--resume'], tmp_path)
    assert code == 0, err
    assert stdout.count('finished, read back') == 4 and (out/'results.md').read_text() == md
    # another protocol refuses the folder
    assert_one_line_error(_run(['s0', '--scale', 'tiny', '--out', str(out), '--resume'], tmp_path),
                          f"run folder '{out}' holds protocol 'nb201' at scale 'tiny', not 's0' at 'tiny'")
    # a search killed after its first epoch resumes from its checkpoint and ends as the uninterrupted one
    from rome_nb.protocols import get_protocol
    from rome_nb.search import search
    killed = tmp_path/'killed'
    shutil.copytree(out, killed); shutil.rmtree(killed/'rome-v2-seed1')
    j, = get_protocol('nb201').plan(scale='tiny', seeds='1,', methods='rome-v2', table=table)
    search(replace(j.search, out=str(j.folder(killed))), stop_after=1, show_progress=False)
    assert not (killed/'rome-v2-seed1'/'search'/'genotype.json').exists()
    code, stdout, err = _run(BASE + ['--table', str(table), '--out', str(killed), '--resume'], tmp_path)
    assert code == 0, err
    assert stdout.count('finished, read back') == 3 and '[4/4] rome-v2-seed1: resumed' in stdout, stdout
    assert _rows(killed/'results.csv') == _rows(out/'results.csv')
    # two searches at a time, each in its own process: the same results.csv but for its wall-clock columns
    code, stdout, err = _run(BASE + ['--table', str(table), '--out', str(tmp_path/'two'), '--jobs', '2'], tmp_path)
    assert code == 0, err
    assert '4 searches, 2 at a time, each in its own process' in stdout and stdout.count(' done] ') == 4, stdout
    assert _rows(tmp_path/'two'/'results.csv') == _rows(out/'results.csv')

def test_dry_run(tmp_path, table):
    code, stdout, err = _run(['nb201', '--scale', 'cpu', '--seeds', '0,', '--table', str(table), '--dry-run'], tmp_path)
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[0] == "5 jobs of protocol 'nb201' at scale 'cpu' -> runs/protocol-nb201-cpu; table made_up_nb201.csv (15,625 cells)"
    assert [l.split(':')[0].strip() for l in lines[1:]] == [f'{m}-seed0' for m in ('darts', 'gdas', 'rome-v2', 'pc-darts', 'sdarts-rs')]
    assert 'rome-v2 on cifar10 (limit 6400), C=8, 1 cell(s) per stage, batch 64, K=2, 10 epochs' in stdout, stdout
    code, stdout, err = _run(['nb201', '--scale', 'paper', '--methods', 'gdas,darts', '--seeds', '1,', '--table', str(table), '--dry-run'], tmp_path)
    assert code == 0, err
    assert 'gdas on cifar10 (limit None), C=16, 5 cell(s) per stage, batch 64, K=1, 240 epochs' in stdout, stdout
    assert 'darts-seed1: darts on cifar10 (limit None), C=16, 5 cell(s) per stage, batch 64, K=1, 50 epochs' in stdout, stdout
    assert not (tmp_path/'runs').exists()

def test_bad_inputs(tmp_path, table):
    (tmp_path/'part.csv').write_text('\n'.join(table.read_text().splitlines()[:4]) + '\n')
    (tmp_path/'bin.csv').write_bytes(bytes(range(256)))
    (tmp_path/'1shot1.csv').write_text('arch_str,valid_acc,test_acc\nconv3x3-bn-relu|maxpool3x3,90,90\n')
    t = ['--table', str(table)]
    for args, says in (
            (['nb201', '--scale', 'tiny'], ("protocol 'nb201' needs --table",)),
            (['nb201', '--table', str(tmp_path/'nope.csv')], ("NAS-Bench-201 table '", "nope.csv' does not exist")),
            (['nb201', '--table', str(tmp_path)], (f"'{tmp_path}'",)),       # a folder: NATS-Bench's archive, or nothing readable
            (['nb201', '--datasets', 'nope.npz'] + t, ("dataset file 'nope.npz' does not exist; expected cifar10, digits or an existing .npz file",)),
            (['nb201', '--table', str(tmp_path/'part.csv')], ("part.csv' holds 3 of the 15,625 cells",)),
            (['nb201', '--table', str(tmp_path/'bin.csv')], ("bin.csv' is not a text CSV file",)),
            (['nb201', '--table', str(tmp_path/'1shot1.csv')], ("line 2 is not a NAS-Bench-201 cell (a table of another space?)",)),
            (['nb201', '--methods', 'nope'] + t, ("method 'nope' is not part of protocol 'nb201'; expected one of: rome-v2, gdas, darts",)),
            (['nb201', '--methods', 'gdas,rome-v1'] + t, ("method 'rome-v1' is not part of protocol 'nb201'", 'sdarts-rs')),
            (['nb201', '--seeds', '0,a'] + t, ("bad seeds value 'a'",)),
            (['nb201', '--scale', 'huge'] + t, ("unknown scale 'huge' for protocol 'nb201'; expected one of: tiny, cpu, paper",)),
            (['nb201', '--datasets', 'svhn'] + t, ("dataset 'svhn' is not part of protocol 'nb201'; expected one of: cifar10, digits, or a .npz file",)),
            (['nb201', '--spaces', 's1'] + t, ("--spaces means nothing for protocol 'nb201'",)),
            (['s0', '--scale', 'tiny'] + t, ("--table means nothing for protocol 's0'; it is for nb201",))):
        assert_one_line_error(_run(args + ['--dry-run'], tmp_path), *says)
    # a folder holding another protocol, or not empty and holding none, is refused before anything runs
    from rome_nb.protocols import _claim
    _claim(tmp_path/'other', 'memory', 'tiny', False)
    assert_one_line_error(_run(['nb201', '--scale', 'tiny', '--out', str(tmp_path/'other'), '--resume'] + t, tmp_path),
                          "holds protocol 'memory' at scale 'tiny', not 'nb201' at 'tiny'")
    (tmp_path/'mine').mkdir(); (tmp_path/'mine'/'notes.txt').write_text('x')
    assert_one_line_error(_run(['nb201', '--scale', 'tiny', '--out', str(tmp_path/'mine')] + t, tmp_path), 'is not empty and holds no protocol')
    assert sorted(p.name for p in (tmp_path/'other').iterdir()) == ['protocol.json'] and not (tmp_path/'runs').exists()
