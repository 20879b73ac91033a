"Helpers shared by the CLI tests: run a console script as pyproject.toml declares it, a quiet single-thread environment, the one-line error rule."
import os, sys, tempfile, tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SCRIPTS = Path(tempfile.mkdtemp(prefix='rome_nb-scripts-'))

def cli_cmd(script, module=None):
    "The console script `script`: the two lines pip writes for the entry point pyproject.toml declares (an installed copy may be older)"
    f = _SCRIPTS/script
    if not f.exists():
        mod, fn = tomllib.loads((ROOT/'pyproject.toml').read_text())['project']['scripts'][script].split(':')
        f.write_text(f"import sys\nfrom {mod} import {fn}\nif __name__ == '__main__':\n"
                     f"    sys.argv[0] = {script!r}\n    sys.exit({fn}())\n")
    return [sys.executable, str(f)]

def quiet_env(**extra):
    return {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'ROME_NO_PROGRESS': '1', 'MPLBACKEND': 'Agg',
            'PYTHONPATH': os.pathsep.join([str(ROOT)] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]), **extra}

def assert_one_line_error(res, *needles, prefix='error: ', code=2):
    "`res` = (returncode, stdout, stderr): exit status `code` (2: bad input), no traceback, exactly one stderr line `error: ...` naming each needle."
    got, out, err = res
    assert got == code, (got, out, err)
    assert 'Traceback' not in err, err
    lines = [l for l in err.strip().splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith(prefix), err
    for n in needles: assert n in lines[0], (n, lines[0])
