"The benchmark scripts: GDAS beside xautodl when xautodl is installed (skipped otherwise), searches side by side (a CPU smoke test)"
import importlib.util, json, subprocess, sys
from pathlib import Path
import pytest

BENCH = Path(__file__).resolve().parents[1]/'benchmarks'


def _load(name):
    spec = importlib.util.spec_from_file_location(f'bench_{name}', BENCH/f'{name}.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod


def test_gdas_xautodl_refuses_bad_cells(capsys):
    with pytest.raises(SystemExit): _load('gdas_xautodl').main(['--cells', '4'])
    assert '--cells must be a multiple of 3' in capsys.readouterr().err


def test_gdas_xautodl_skips_without_xautodl(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, 'xautodl', None)          # import fails as when it is not installed
    assert _load('gdas_xautodl').main(['--cells', '3', '--steps', '1']) is None
    assert 'skipped: xautodl is not installed' in capsys.readouterr().out


@pytest.mark.skipif(importlib.util.find_spec('xautodl') is None, reason='xautodl is not installed')
def test_gdas_xautodl_side_by_side(tmp_path):
    res = _load('gdas_xautodl').main(['--cells', '3', '--channels', '4', '--batch-size', '4', '--size', '8', '--steps', '2',
                                      '--mem-draws', '2', '--json-out', str(tmp_path/'r.json')])
    assert set(res['ms']) == {'ours', 'xautodl'} and all(v > 0 for v in res['saved_mib'].values())
    assert (tmp_path/'r.json').is_file()


def test_jobs_throughput_smoke(tmp_path):
    # the GPU benchmark's code path on the CPU, as a script (its worker function lives in the script's __main__):
    # one search alone, then two side by side (digits, quick preset, 2 epochs)
    from cli import quiet_env
    p = subprocess.run([sys.executable, str(BENCH/'jobs_throughput.py'), '--device', 'cpu', '--preset', 'quick', '--dataset', 'digits',
                        '--limit', '128', '--jobs', '1,2', '--json-out', str(tmp_path/'t.json')],
                       capture_output=True, text=True, env=quiet_env(), timeout=300)
    assert p.returncode == 0, p.stderr
    assert '| jobs at once |' in p.stdout, p.stdout
    rows = json.loads((tmp_path/'t.json').read_text())['rows']
    assert [r['jobs'] for r in rows] == [1, 2] and len(rows[1]['it_per_s_each']) == 2
    assert all(r['it_per_s'] > 0 and r['searches_per_hour'] > 0 for r in rows)


def test_jobs_throughput_bad_jobs(capsys):
    with pytest.raises(SystemExit): _load('jobs_throughput').main(['--jobs', '0,2'])
    assert "--jobs must be a comma-separated list of integers >= 1, got '0,2'" in capsys.readouterr().err
