"""`rome_protocol --launcher slurm` against a real SLURM (the one-node cluster `.ci/slurm/up` starts; `.ci/run` sets
ROME_SLURM=up when it runs): a tiny S0 sweep as a job array, one job cancelled with `scancel` in the middle of its search,
the sweep run again with `--resume` (the cancelled job resumes from its checkpoint), and the results equal, bit for bit,
those of `--launcher local` with the same seeds on CPU; `--status` before and after. A job preempted (SIGUSR2) mid-search is
requeued by submitit and resumes, its result equal to a local run's. Bad launcher options and a machine
without SLURM are one line `error: ...` and need no cluster."""
import csv, json, os, shutil, subprocess, sys, time
from pathlib import Path
import pytest
from cli import cli_cmd, quiet_env, assert_one_line_error

SLURM_UP = os.environ.get('ROME_SLURM') == 'up'
needs_slurm = pytest.mark.skipif(not SLURM_UP, reason=os.environ.get('ROME_SLURM_SKIP') or
                                 'SLURM is not up (CI starts one with .ci/slurm/up and sets ROME_SLURM=up)')
# 12 search epochs (about half a second each at tiny scale): long enough to cancel a job in the middle of its search
SWEEP = ['s0', '--scale', 'tiny', '--seeds', '2', '--search-epochs', '12', '--quiet', '--device', 'cpu']
TIMING = ('search_s', 'train_s')

def _run(args, cwd, timeout=300, **env):
    p = subprocess.run(cli_cmd('rome_protocol') + list(args), cwd=cwd, env=quiet_env(**env), capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr

def _runs(out):
    with open(out/'runs.csv') as f: return [{k: v for k, v in r.items() if k not in TIMING} for r in csv.DictReader(f)]

def _start_sweep(args, out, cwd):
    "rome_protocol ARGS --launcher slurm --out OUT, in the background"
    return subprocess.Popen(cli_cmd('rome_protocol') + list(args) + ['--launcher', 'slurm', '--out', str(out)], cwd=cwd,
                            env=quiet_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def _job_id_after_an_epoch(p, out, job) -> str:
    "The SLURM job id of protocol job `job` of the sweep `p` writes into `out`, once its search has logged an epoch"
    for _ in range(1200):
        if _epochs(out/job/'search'/'log.jsonl') >= 1 or p.poll() is not None: break
        time.sleep(0.1)
    return json.loads((out/'slurm'/'jobs.json').read_text())[job]['id']

def _assert_equals_local(args, out, local, cwd, jobs):
    "The same sweep with --launcher local into `local`: the same runs.csv (timings aside), genotypes and results.md"
    code, stdout, e = _run(list(args) + ['--out', str(local)], cwd)
    assert code == 0, e
    assert _runs(out) == _runs(local) and len(_runs(out)) == len(jobs)
    for j in jobs:
        assert (out/j/'search'/'genotype.json').read_text() == (local/j/'search'/'genotype.json').read_text()
    assert (out/'results.md').read_text() == (local/'results.md').read_text()

def _epochs(log) -> int:
    try: return sum(1 for l in Path(log).read_text().splitlines() if l.strip().startswith('{"epoch"'))
    except OSError: return 0

def test_bad_launcher_options(tmp_path):
    _ = lambda *a: _run(list(a), tmp_path)
    assert_one_line_error(_('s0', '--scale', 'tiny', '--launcher', 'pbs'), "unknown launcher 'pbs'; expected one of: local, slurm")
    assert_one_line_error(_('s0', '--scale', 'tiny', '--launcher', 'slurm', '--time', '0'), '--time must be an integer >= 1, got 0')
    assert_one_line_error(_('s0', '--scale', 'tiny', '--launcher', 'slurm', '--sbatch', 'account'), "bad --sbatch 'account'; expected KEY=VALUE")
    assert_one_line_error(_('s0', '--scale', 'tiny', '--partition', 'gpu'), '--partition is an option of --launcher slurm')
    assert_one_line_error(_('s0', '--scale', 'tiny', '--launcher', 'slurm', '--jobs', '2'), '--jobs is for --launcher local, got 2')
    assert_one_line_error(_('collapse', '--scale', 'tiny', '--launcher', 'slurm'), "'collapse' runs its jobs in one process")
    assert not (tmp_path/'runs').exists()

def test_no_slurm_here(tmp_path):
    # no sbatch on PATH: one line, and the run folder is not touched
    res = _run(['s0', '--scale', 'tiny', '--seeds', '1', '--launcher', 'slurm', '--out', str(tmp_path/'sw')], tmp_path, PATH=str(tmp_path))
    assert_one_line_error(res, 'no SLURM here: sbatch is not on PATH', '--launcher local')
    assert not (tmp_path/'sw').exists()

@needs_slurm
def test_sweep_cancel_resume_equals_local(tmp_path):
    t0 = time.time()
    out, local = tmp_path/'slurm', tmp_path/'local'
    p = _start_sweep(SWEEP, out, tmp_path)
    try:
        victim = out/'rome-v2-s0-cifar10-seed1'
        jid = _job_id_after_an_epoch(p, out, victim.name)     # its search has logged an epoch: cancel it there
        subprocess.run(['scancel', jid], check=True)
        print(f"slurm test: cancelled job {jid} ({victim.name}) after {_epochs(victim/'search'/'log.jsonl')} search epochs")
        stdout, err = p.communicate(timeout=300)
    finally:
        if p.poll() is None: p.kill()
    print(stdout)
    assert p.returncode == 1, (stdout, err)
    assert 'submitted 2 jobs to SLURM as job array' in stdout, stdout
    assert f"{victim.name}: failed: SLURM job {jid} ended CANCELLED without a result; log: " in stdout, stdout
    assert err.startswith('1 job(s) failed: ') and len(err.strip().splitlines()) == 1, err
    assert 0 < _epochs(victim/'search'/'log.jsonl') < 12 and not (victim/'result.json').exists()
    # --status: one done, one failed with its log, and how far each got
    code, st, e = _run(SWEEP + ['--out', str(out), '--status'], tmp_path)
    assert code == 0, e
    print(st)
    assert '| rome-v2-s0-cifar10-seed0 | done |' in st and '| search 12/12, train 1/1 |' in st, st
    line, = [l for l in st.splitlines() if victim.name in l]
    assert f'| failed | {jid} | search ' in line and 'CANCELLED' in line and 'log: ' in line, line
    # the same sweep again: the finished job is skipped, the cancelled one resumes from its checkpoint
    code, stdout, e = _run(SWEEP + ['--launcher', 'slurm', '--out', str(out), '--resume'], tmp_path)
    print(stdout)
    assert code == 0, e
    assert '[1/2] rome-v2-s0-cifar10-seed0: finished, skipped' in stdout and 'submitted 1 jobs' in stdout, stdout
    assert f'{victim.name}: SLURM job ' in stdout and 'resumed search, ran training' in stdout, stdout
    code, st, e = _run(SWEEP + ['--out', str(out), '--status'], tmp_path)
    assert code == 0 and '2 done' in st, (st, e)
    # the same sweep on this machine: the same numbers and cells, bit for bit
    _assert_equals_local(SWEEP, out, local, tmp_path, ('rome-v2-s0-cifar10-seed0', victim.name))
    print(f"slurm test: results of --launcher slurm (one job cancelled and resumed) equal --launcher local; {time.time() - t0:.0f} s")

def _slurm_state(jid) -> str:
    p = subprocess.run(['squeue', '-h', '-t', 'all', '-j', jid, '-o', '%T'], capture_output=True, text=True, timeout=60)
    return p.stdout.strip()

@needs_slurm
def test_sweep_preempted_job_requeues_and_resumes(tmp_path):
    # a preemption as SLURM signals it (SIGUSR2 to the job's step): submitit checkpoints the job and requeues it; the
    # requeued job resumes its search from its run checkpoint, the same command sees it end, and the result equals a
    # local run bit for bit. (A time limit takes the same path: SLURM sends the same signal shortly before the limit.)
    t0 = time.time()
    one = ['s0', '--scale', 'tiny', '--seeds', '1', '--search-epochs', '12', '--quiet', '--device', 'cpu']
    out, local = tmp_path/'slurm', tmp_path/'local'
    p = _start_sweep(one, out, tmp_path)
    try:
        job = out/'rome-v2-s0-cifar10-seed0'
        jid = _job_id_after_an_epoch(p, out, job.name)
        subprocess.run(['scancel', '--signal=USR2', jid], check=True)
        done = _epochs(job/'search'/'log.jsonl')
        for _ in range(600):                       # requeued: pending again
            if _slurm_state(jid) == 'PENDING': break
            time.sleep(0.1)
        assert _slurm_state(jid) == 'PENDING', _slurm_state(jid)
        # SLURM holds a requeued job for about two minutes before it may start again (what the tutorial says), and
        # --status shows it pending; then let it start now
        info = subprocess.run(['scontrol', 'show', 'job', '-o', jid], capture_output=True, text=True, check=True).stdout
        eligible = time.mktime(time.strptime(info.split('EligibleTime=')[1].split()[0], '%Y-%m-%dT%H:%M:%S'))
        assert 60 < eligible - time.time() < 300, info
        code, st, e = _run(one + ['--out', str(out), '--status'], tmp_path)
        assert code == 0 and f'| {job.name} | pending | {jid} |' in st, (st, e)
        subprocess.run(['scontrol', 'update', f'jobid={jid}', 'starttime=now'], check=True)
        stdout, err = p.communicate(timeout=300)
    finally:
        if p.poll() is None: p.kill()
    print(stdout)
    assert p.returncode == 0, (stdout, err)
    log = (out/json.loads((out/'slurm'/'jobs.json').read_text())[job.name]['log']).read_text()
    assert 'Caught signal SIGUSR2' in log and 'this job is preempted' in log, log
    assert f'{job.name}: SLURM job {jid}: resumed search, ran training' in stdout, stdout
    print(f"slurm test: job {jid} preempted (SIGUSR2) after {done} search epochs, requeued by submitit, resumed")
    _assert_equals_local(one, out, local, tmp_path, (job.name,))
    print(f"slurm test: results of the preempted and requeued job equal --launcher local; {time.time() - t0:.0f} s")
