"Helpers shared by the CLI tests: find a console script, a quiet single-thread environment, the one-line error rule."
import os, shutil, sys
from pathlib import Path

def cli_cmd(script, module):
    "The installed console script `script`, else `python -m module`."
    exe = shutil.which(script) or str(Path(sys.executable).parent/script)
    return [exe] if os.path.exists(exe) else [sys.executable, '-m', module]

def quiet_env(**extra):
    return {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'ROME_NO_PROGRESS': '1', 'MPLBACKEND': 'Agg', **extra}

def assert_one_line_error(res, *needles, prefix='error: '):
    "`res` = (returncode, stdout, stderr): non-zero exit, no traceback, exactly one stderr line naming each needle."
    code, out, err = res
    assert code != 0, (out, err)
    assert 'Traceback' not in err, err
    lines = [l for l in err.strip().splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith(prefix), err
    for n in needles: assert n in lines[0], (n, lines[0])
