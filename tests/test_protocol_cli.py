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

SLICE = ['table1', '--scale', 'tiny', '--spaces', 's2', '--datasets', 'cifar10', '--seeds', '0', '--quiet']

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
    assert not (tmp_path/'runs').exists()
