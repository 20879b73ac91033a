"""Run folders, resume and stopping, from the shell: what a careless or hurried user can do to a run.

Every case gives one line on stderr (no traceback) and loses nothing: a folder holding any run file is never written
over without --resume or --overwrite; --resume needs a checkpoint; Ctrl-C exits 130 and SIGTERM 143 at any moment."""
import json, os, signal, stat, subprocess, time
from pathlib import Path
import pytest
from cli import cli_cmd, quiet_env, assert_one_line_error

SEARCH = ['--preset', 'quick', '--k', '1', '--epochs', '1', '--batch-size', '32', '--channels', '4', '--layers', '3',
          '--limit', '64', '--quiet', '--device', 'cpu']
TRAIN = ['--preset', 'quick', '--epochs', '1', '--layers', '3', '--channels', '4', '--batch-size', '32',
         '--limit', '64', '--device', 'cpu']
MODULES = {'rome_search': 'rome_nb.search', 'rome_train': 'rome_nb.train', 'rome_protocol': 'rome_nb.protocols',
           'rome_memory': 'rome_nb.memory'}

def run(script, *args, cwd=None, timeout=300):
    p = subprocess.run(cli_cmd(script, MODULES[script]) + [str(a) for a in args], cwd=cwd, env=quiet_env(),
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr

def start(script, *args, cwd=None):
    return subprocess.Popen(cli_cmd(script, MODULES[script]) + [str(a) for a in args], cwd=cwd, env=quiet_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def snapshot(folder): return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}

@pytest.fixture(scope='module')
def searched(tmp_path_factory):
    "A finished tiny search folder"
    out = tmp_path_factory.mktemp('s')/'search'
    code, _, err = run('rome_search', *SEARCH, '--out', out)
    assert code == 0, err
    return out

@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    "A finished tiny training folder"
    out = tmp_path_factory.mktemp('t')/'train'
    code, _, err = run('rome_train', *TRAIN, '--out', out)
    assert code == 0, err
    return out

# --- silent overwrite: any run file guards a folder --------------------------------------------------------------
@pytest.mark.parametrize('f', ['genotype.json', 'checkpoint.pt'])
def test_search_never_overwrites_a_run_file(tmp_path, f):
    (tmp_path/f).write_text('old')
    assert_one_line_error(run('rome_search', *SEARCH, '--out', tmp_path), 'already holds a run', f, '--resume', '--overwrite')
    assert snapshot(tmp_path) == {f: b'old'}

@pytest.mark.parametrize('f', ['model.pt'])
def test_train_never_overwrites_a_run_file(tmp_path, f):
    (tmp_path/f).write_text('old')
    assert_one_line_error(run('rome_train', *TRAIN, '--out', tmp_path), 'already holds a run', f, '--overwrite')
    assert snapshot(tmp_path) == {f: b'old'}

def test_protocol_never_overwrites_a_run_file(tmp_path):
    (tmp_path/'results.csv').write_text('old')
    assert_one_line_error(run('rome_protocol', 's0', '--scale', 'tiny', '--out', tmp_path), 'not empty', '--overwrite')
    assert snapshot(tmp_path) == {'results.csv': b'old'}

def test_overwrite_replaces_the_run_files(tmp_path):
    (tmp_path/'log.jsonl').write_text('{"epoch": 7}\n'); (tmp_path/'notes.txt').write_text('mine')
    code, _, err = run('rome_search', *SEARCH, '--out', tmp_path, '--overwrite')
    assert code == 0, err
    assert [json.loads(l)['epoch'] for l in (tmp_path/'log.jsonl').read_text().splitlines()] == [1]
    assert (tmp_path/'notes.txt').read_text() == 'mine'

@pytest.mark.parametrize('script,args', [('rome_search', SEARCH), ('rome_train', TRAIN)])
@pytest.mark.parametrize('out', [' '])
def test_empty_out_is_refused(tmp_path, script, args, out):
    assert_one_line_error(run(script, *args, '--out', out, cwd=tmp_path), 'is empty', '--out')
    assert list(tmp_path.iterdir()) == []

def test_protocol_empty_out_is_refused(tmp_path):
    assert_one_line_error(run('rome_protocol', 's0', '--scale', 'tiny', '--out', '', cwd=tmp_path), 'is empty')
    assert list(tmp_path.iterdir()) == []

# --- resume ------------------------------------------------------------------------------------------------------
def test_search_resume_without_checkpoint(searched, tmp_path):
    d = tmp_path/'nock'; d.mkdir()
    for f in ('config.json', 'log.jsonl', 'genotype.json'): (d/f).write_bytes((searched/f).read_bytes())
    before = snapshot(d)
    assert_one_line_error(run('rome_search', *SEARCH, '--out', d, '--resume'), 'has no checkpoint.pt', '--overwrite')
    assert snapshot(d) == before

def test_train_resume_on_a_search_folder(searched):
    before = snapshot(searched)
    assert_one_line_error(run('rome_train', *TRAIN, '--out', searched, '--resume'), 'is a search checkpoint (rome_search), not a training one')
    assert snapshot(searched) == before

def test_search_resume_on_a_training_folder(trained):
    before = snapshot(trained)
    assert_one_line_error(run('rome_search', *SEARCH, '--out', trained, '--resume'), 'is a training checkpoint (rome_train), not a search one')
    assert snapshot(trained) == before

def test_checkpoint_error_is_whole(searched, tmp_path):
    d = tmp_path/'bad'; d.mkdir()
    for f in ('config.json', 'log.jsonl'): (d/f).write_bytes((searched/f).read_bytes())
    (d/'checkpoint.pt').write_bytes(b'garbage bytes here' * 10)
    code, out, err = run('rome_search', *SEARCH, '--out', d, '--resume')
    # the reason is torch's, whole (not its advice cut after 160 characters)
    assert_one_line_error((code, out, err), 'is corrupt or not a rome_nb checkpoint', 'Unsupported operand')
    assert err.strip().endswith(')') and 'PyTorch 2.6' not in err, err

def test_stale_temporary_files_are_removed(searched, tmp_path):
    d = tmp_path/'stale'
    d.mkdir(); [(d/f).write_bytes((searched/f).read_bytes()) for f in ('config.json', 'log.jsonl', 'checkpoint.pt', 'genotype.json')]
    (d/'.checkpoint.pt.x1y2z3.tmp').write_bytes(b'half a checkpoint')      # a SIGKILL during a checkpoint write
    code, _, err = run('rome_search', *SEARCH, '--out', d, '--resume')
    assert code == 0, err
    assert not list(d.glob('.*.tmp'))

# --- genotypes that are not there yet ------------------------------------------------------------------------------
def test_train_missing_genotype_file(tmp_path):
    assert_one_line_error(run('rome_train', *TRAIN, '--genotype', tmp_path/'missing.json', '--out', tmp_path/'o'),
                          f"genotype file '{tmp_path/'missing.json'}' not found")

def test_train_unfinished_search_folder(searched, tmp_path):
    d = tmp_path/'unfinished'; d.mkdir()
    for f in ('config.json', 'log.jsonl', 'checkpoint.pt'): (d/f).write_bytes((searched/f).read_bytes())
    assert_one_line_error(run('rome_train', *TRAIN, '--genotype', d, '--out', tmp_path/'o'),
                          'has no genotype.json yet: it ran 1 of 1 epochs')

# --- protocols ---------------------------------------------------------------------------------------------------
def test_protocol_resume_with_other_settings_is_refused(tmp_path):
    P = tmp_path/'P'
    base = ['s0', '--scale', 'tiny', '--seeds', '0,', '--search-epochs', '1', '--train-epochs', '1', '--quiet', '--out', P]
    code, _, err = run('rome_protocol', *base)
    assert code == 0, err
    before = (P/'results.csv').read_text()
    other = ['s0', '--scale', 'tiny', '--seeds', '8,', '--search-epochs', '2', '--train-epochs', '1', '--quiet', '--out', P, '--resume']
    assert_one_line_error(run('rome_protocol', *other), f"cannot resume '{P}'", 'search epochs 1 there, 2 now')
    assert (P/'results.csv').read_text() == before
    assert not (P/'rome-v2-s0-cifar10-seed8').exists()

def test_protocol_whose_first_job_failed_runs_again(tmp_path):
    args = ['s0', '--seeds', '0,', '--data-root', tmp_path/'empty', '--out', tmp_path/'P', '--quiet', '--device', 'cpu']
    (tmp_path/'empty').mkdir()
    assert_one_line_error(run('rome_protocol', *args), 'not found')
    code, out, err = run('rome_protocol', *args)                    # the same error again, not "already holds protocol"
    assert_one_line_error((code, out, err), 'not found')

# --- stopping ------------------------------------------------------------------------------------------------------
def _stop(script, args, sig, wait_for=None, cwd=None):
    p = start(script, *args, cwd=cwd)
    if wait_for is None: time.sleep(0.5)                            # while the modules load
    else:
        while not Path(wait_for).exists() and p.poll() is None: time.sleep(0.05)
    p.send_signal(sig)
    out, err = p.communicate(timeout=300)
    return p.returncode, out, err

@pytest.mark.parametrize('script,args', [('rome_search', SEARCH), ('rome_train', TRAIN), ('rome_protocol', ['s0', '--scale', 'tiny']),
                                         ('rome_memory', ['--quiet'])])
def test_ctrl_c_while_starting(tmp_path, script, args):
    code, out, err = _stop(script, list(args) + (['--out', tmp_path/'o'] if script != 'rome_memory' else []), signal.SIGINT, cwd=tmp_path)
    assert code == 130, (code, err)
    assert 'Traceback' not in err, err
    assert '--resume' not in err, err                               # nothing to resume yet
    assert len([l for l in err.splitlines() if l.strip()]) == 1, err

def test_sigterm_keeps_the_checkpoint(tmp_path):
    d = tmp_path/'term'
    args = [a if a != '1' or i != SEARCH.index('--epochs') + 1 else '30' for i, a in enumerate(SEARCH)] + ['--out', d]
    code, out, err = _stop('rome_search', args, signal.SIGTERM, wait_for=d/'checkpoint.pt')
    assert code == 143, (code, err)
    assert 'Traceback' not in err and 'SIGTERM' in err and '--resume' in err, err
    assert len([l for l in err.splitlines() if l.strip()]) == 1, err
    from rome_nb.runs import load_checkpoint
    load_checkpoint(d/'checkpoint.pt')
    assert not list(d.glob('.*.tmp'))

# --- consistency ---------------------------------------------------------------------------------------------------
def test_every_run_file_has_the_same_mode(searched, trained):
    for d in (searched, trained):
        modes = {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in d.iterdir()}
        assert len(set(modes.values())) == 1, modes

def test_amp_on_cpu_says_it_is_ignored(tmp_path):
    code, _, err = run('rome_search', *SEARCH, '--amp', 'bf16', '--out', tmp_path/'amp')
    assert code == 0, err
    assert [l for l in err.splitlines() if l.strip()] == ["note: amp is ignored on cpu: the search's bfloat16 autocast runs on CUDA only"]

def test_search_download_flag(tmp_path):
    code, _, err = run('rome_search', *SEARCH, '--download', '--out', tmp_path/'dl')
    assert code == 0, err
    assert json.loads((tmp_path/'dl'/'config.json').read_text())['download'] is True

def test_memory_json_out_checked_before_measuring(tmp_path):
    for bad, why in [(tmp_path/'no'/'such'/'m.json', 'does not exist'), (tmp_path, 'it is a folder')]:
        code, out, err = run('rome_memory', '--json-out', bad, timeout=60)        # no --quiet: a measurement would log lines
        assert_one_line_error((code, out, err), f"cannot write --json-out '{bad}'", why)
        assert out == ''
