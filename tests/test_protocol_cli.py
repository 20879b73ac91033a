"""`rome_protocol` from the shell: a tiny Table 1 slice runs and writes its tables, a second call resumes (skips),
and bad input gives one line `error: ...` and a non-zero exit."""
import csv, os, shutil, subprocess, sys
from pathlib import Path
from cli import cli_cmd, quiet_env, assert_one_line_error

def _run(args, cwd, timeout=120):
    p = subprocess.run(cli_cmd('rome_protocol', 'rome_nb.protocols') + list(args), cwd=cwd, env=quiet_env(),
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr

_one_line_error = assert_one_line_error

SLICE = ['table1', '--scale', 'tiny', '--spaces', 's2', '--datasets', 'cifar10', '--seeds', '0,', '--quiet']

def test_table1_tiny_slice(tmp_path):
    out = tmp_path/'t1'
    code, stdout, err = _run(SLICE + ['--out', str(out)], tmp_path)
    assert code == 0, err
    for f in ('protocol.json', 'results.csv', 'results.md', 'runs.csv'): assert (out/f).is_file(), f
    job = out/'rome-v2-s2-cifar10-seed0'
    for f in ('result.json', 'search/genotype.json', 'search/checkpoint.pt', 'train/checkpoint.pt', 'train/model.pt'):
        assert (job/f).is_file(), f
    rows = list(csv.DictReader(open(out/'results.csv')))
    assert len(rows) == 1 and rows[0]['space'] == 's2' and rows[0]['runs'] == '1', rows
    assert 0 <= float(rows[0]['err_mean']) <= 100 and rows[0]['paper_err_mean'] == '3.14'
    md = (out/'results.md').read_text()
    assert '| C10 (digits) | S2 | rome-v2 | 1 |' in md and '3.14±0.14' in md, md
    assert md.strip() in stdout
    # the same command again is refused; with --resume the finished job is skipped
    _one_line_error(_run(SLICE + ['--out', str(out)], tmp_path), 'already holds protocol', '--resume')
    code, stdout, err = _run(SLICE + ['--out', str(out), '--resume'], tmp_path)
    assert code == 0, err
    assert 'finished, skipped' in stdout
    assert (out/'results.md').read_text() == md

def test_bad_inputs(tmp_path):
    _one_line_error(_run(['table2', '--scale', 'tiny'], tmp_path), "unknown protocol 'table2'", 's0, table1, k-ablation, memory')
    _one_line_error(_run(['table1', '--scale', 'huge'], tmp_path), "unknown scale 'huge'")
    _one_line_error(_run(['table1', '--spaces', 's9', '--scale', 'tiny'], tmp_path), "space 's9'", 's1, s2, s3, s4')
    _one_line_error(_run(['s0', '--seeds', '0,a', '--scale', 'tiny'], tmp_path), "bad seeds value 'a'")
    _one_line_error(_run(['s0', '--seeds', '0', '--scale', 'tiny'], tmp_path), "--seeds '0' counts no seed", 'a list such as 0,')
    _one_line_error(_run(['memory', '--search-epochs', '2', '--scale', 'tiny'], tmp_path),
                    "--search-epochs means nothing for protocol 'memory'; it is for s0, table1, k-ablation, collapse, nb201")
    _one_line_error(_run(['collapse', '--ks', '2,3', '--scale', 'tiny'], tmp_path), "protocol 'collapse' takes one value of --ks, got 2: 2, 3")
    assert not (tmp_path/'runs').exists()

def test_seeds_a_count_or_a_list(tmp_path):
    # the same rule for every protocol: a count n is seeds 0..n-1, a comma makes a list ("3," is seed 3 alone)
    for args, seeds in ((['s0', '--seeds', '2'], [0, 1]), (['s0', '--seeds', '3,'], [3]), (['collapse', '--seeds', '1,4'], [1, 4]),
                        (['collapse', '--scale', 'cpu'], list(range(8)))):
        code, stdout, err = _run(args + ['--dry-run'] + ([] if '--scale' in args else ['--scale', 'tiny']), tmp_path)
        assert code == 0, err
        found = sorted({int(w.rsplit('seed', 1)[1].rstrip(':')) for w in stdout.split() if '-seed' in w})
        assert found == seeds, (args, stdout)
    assert not (tmp_path/'runs').exists()

def _epochs(path):
    "epochs.csv of a collapse run without its wall-clock column"
    return [{k: v for k, v in r.items() if k != 'epoch_time'} for r in csv.DictReader(open(path))]

def test_jobs_side_by_side_equal_one_after_another(tmp_path):
    # the same four searches, two processes at once and one after another (one thread each): the same numbers, bit for bit
    args = ['collapse', '--scale', 'tiny', '--seeds', '0,1', '--quiet']
    code, stdout, err = _run(args + ['--jobs', '2', '--out', str(tmp_path/'two')], tmp_path)
    assert code == 0, err
    assert '4 searches, 2 at a time, each in its own process' in stdout and 'searches per hour' in stdout, stdout
    assert stdout.count(' done] ') == 4, stdout
    code, stdout, err = _run(args + ['--out', str(tmp_path/'one')], tmp_path)
    assert code == 0, err
    assert 'at a time' not in stdout
    one, two = _epochs(tmp_path/'one'/'epochs.csv'), _epochs(tmp_path/'two'/'epochs.csv')
    assert len(one) == 12 and one == two
    # the command prints the summary per arm, the Mann–Whitney tests between the arms (2 seeds each) and the verdict
    assert '| space | arms | metric | U | p |' in stdout and '| 1shot1-s1-skip | GDAS (NB-1Shot1 code) vs ROME-v2 | late skip |' in stdout, stdout
    assert 'Mann–Whitney U on late skip-connections, 2+ seeds per arm' in stdout, stdout
    # protocols with evaluation training too
    code, stdout, err = _run(['s0', '--scale', 'tiny', '--seeds', '0,1', '--quiet', '--jobs', '2', '--out', str(tmp_path/'s0')], tmp_path)
    assert code == 0, err
    assert '2 jobs, 2 at a time' in stdout and stdout.count(' done] ') == 2, stdout
    assert len(list(csv.DictReader(open(tmp_path/'s0'/'runs.csv')))) == 2

def test_bad_jobs(tmp_path):
    _one_line_error(_run(['collapse', '--scale', 'tiny', '--jobs', '0'], tmp_path), 'jobs must be an integer >= 1, got 0')
    _one_line_error(_run(['s0', '--scale', 'tiny', '--jobs', '-2', '--dry-run'], tmp_path), 'jobs must be an integer >= 1, got -2')
    _one_line_error(_run(['memory', '--scale', 'tiny', '--jobs', '2', '--out', str(tmp_path/'m')], tmp_path),
                    "protocol 'memory' measures in one process; --jobs must be 1 for it, got 2")
