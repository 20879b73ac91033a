"""One writer per run folder, from the shell: a second `rome_search` / `rome_train` on a folder that another process
is writing is refused with one line naming the folder and that process' pid, and changes nothing; a lock left behind
by a SIGKILLed writer is taken over.

The first writer is held still with SIGSTOP while the second one tries, so no test depends on timing."""
import json, os, signal, subprocess, time
from pathlib import Path
import pytest
from cli import cli_cmd, quiet_env, assert_one_line_error

EPOCHS = 10       # the first writer is stopped (SIGSTOP) right after its first epoch, long before it could finish
SEARCH = ['--preset', 'quick', '--epochs', str(EPOCHS), '--limit', '64', '--layers', '2', '--channels', '4', '--k', '1',
          '--batch-size', '32', '--quiet', '--device', 'cpu']
TRAIN = ['--preset', 'quick', '--epochs', str(EPOCHS), '--limit', '64', '--layers', '3', '--channels', '4',
         '--batch-size', '32', '--quiet', '--device', 'cpu']
ARGS = {'rome_search': SEARCH, 'rome_train': TRAIN}

def start(script, *args):
    return subprocess.Popen(cli_cmd(script) + [str(a) for a in args], env=quiet_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)

def run(script, *args):
    p = subprocess.run(cli_cmd(script) + [str(a) for a in args], env=quiet_env(), capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr

def wait_for(proc, path, deadline=240):
    "Wait until `path` exists while `proc` runs (it must still be running then)"
    t0 = time.monotonic()
    while not Path(path).exists():
        assert proc.poll() is None, f'the first writer ended early: {proc.communicate()}'
        assert time.monotonic() - t0 < deadline, f'{path} never appeared'
        time.sleep(0.02)

def snapshot(folder): return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}
def epochs(folder): return [json.loads(l)['epoch'] for l in (Path(folder)/'log.jsonl').read_text().splitlines()]

@pytest.mark.parametrize('script,flag', [('rome_search', '--overwrite'), ('rome_search', '--resume'), ('rome_train', '--overwrite')])
def test_second_writer_is_refused(tmp_path, script, flag):
    out = tmp_path/'run'
    a = start(script, *ARGS[script], '--out', out)
    try:
        wait_for(a, out/'checkpoint.pt')          # a is inside its run, holding the folder
        a.send_signal(signal.SIGSTOP)
        assert a.poll() is None
        before = snapshot(out)
        res = run(script, *ARGS[script], '--out', out, flag)
        assert_one_line_error(res, f"run folder '{out}' is in use by process {a.pid}", 'one process writes a run folder at a time')
        assert snapshot(out) == before            # the second one wrote nothing, removed nothing
    finally:
        a.send_signal(signal.SIGCONT)
    _, err = a.communicate(timeout=300)
    assert a.returncode == 0, err
    assert epochs(out) == list(range(1, EPOCHS + 1))   # each epoch once, by the one writer
    assert not (out/'.lock').exists()

def test_stale_lock_of_a_killed_writer_is_taken_over(tmp_path):
    out = tmp_path/'run'
    a = start('rome_search', *SEARCH, '--out', out)
    wait_for(a, out/'checkpoint.pt')
    a.kill(); a.communicate()
    assert a.returncode == -signal.SIGKILL
    assert json.loads((out/'.lock').read_text())['pid'] == a.pid     # left behind, but nobody holds it
    (out/'.lock').write_text(json.dumps({'pid': os.getpid(), 'host': 'here'}))   # a pid that is alive (pids get reused): not trusted
    code, _, err = run('rome_search', *SEARCH, '--out', out, '--resume')
    assert code == 0, err
    assert epochs(out) == list(range(1, EPOCHS + 1))
    assert not (out/'.lock').exists()

def test_two_overwrites_at_once(tmp_path):
    "Started together: either one waits for nothing and the other is refused, or they happen to run one after the other; never interleaved"
    out, short = tmp_path/'run', [a if a != str(EPOCHS) else '3' for a in SEARCH]
    procs = [start('rome_search', *short, '--out', out, '--overwrite') for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    results = [(p.returncode, *o) for p, o in zip(procs, outs)]
    assert sorted(r[0] for r in results)[0] == 0, results
    for code, o, err in results:
        if code != 0: assert_one_line_error((code, o, err), f"run folder '{out}' is in use by process")
    assert epochs(out) == [1, 2, 3]
