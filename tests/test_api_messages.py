"""Bad values given to the Python API (and one to the shell), each refused in one clear line before any run folder exists."""
import math, subprocess
import pytest
import torch
from cli import cli_cmd, quiet_env, assert_one_line_error
from rome_nb.search import search
from rome_nb.train import train, get_preset
from rome_nb.methods import derive_genotype, build_supernet

TINY = dict(epochs=1, limit=64, layers=2, channels=4, device='cpu')

@pytest.mark.parametrize('kw,says', [
    (dict(ga_weights='false'), "ga_weights must be True or False, got 'false'"),
    (dict(td='no'), "td must be True or False, got 'no'"),
])
def test_search_flags_must_be_bools(tmp_path, kw, says):
    out = tmp_path/'run'
    with pytest.raises(ValueError, match=f'^{says}$'): search('quick', show_progress=False, out=str(out), **TINY, **kw)
    assert not out.exists()

@pytest.mark.parametrize('stop', [-1, 0, 1.5, True, '2'])
def test_search_stop_after(tmp_path, stop):
    out = tmp_path/'run'
    with pytest.raises(ValueError, match=r'^stop_after must be None or an integer >= 1, got ' + repr(stop).replace('.', r'\.') + '$'):
        search('quick', show_progress=False, stop_after=stop, out=str(out), **TINY)
    assert not out.exists()

@pytest.mark.parametrize('cfg,name', [(123, 'int'), (None, 'NoneType'), (dict(epochs=1), 'dict')])
def test_search_cfg_type(cfg, name):
    with pytest.raises(ValueError, match=f'^cfg must be a SearchConfig or a preset name, got {name}$'): search(cfg)

@pytest.mark.parametrize('stop', [-1, 0, 2.0])
def test_train_stop_after(tmp_path, stop):
    cfg = get_preset('quick', out=str(tmp_path/'run'), epochs=1, limit=64, layers=3, channels=4, device='cpu')
    with pytest.raises(ValueError, match=r'^stop_after must be an int >= 1; got ' + repr(stop).replace('.', r'\.') + '$'):
        train(cfg, stop_after=stop)
    assert not (tmp_path/'run').exists()

@pytest.mark.parametrize('method', ['rome-v2', 'darts', 'gdas'])
@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
def test_derive_genotype_refuses_non_finite_alphas(method, bad):
    net = build_supernet(method, 's0', C=4, layers=2)
    a = {n: p.detach().clone() for n, p in net.named_parameters() if n.startswith(('alphas', 'betas'))}
    full = {n: torch.full_like(t, bad) for n, t in a.items()}
    ok = derive_genotype(method, 's0', a['alphas_normal'], a['alphas_reduce'], a.get('betas_normal'), a.get('betas_reduce'))
    assert ok.normal and ok.reduce                                             # the same call with finite α derives a cell
    for where in ('alphas_normal', 'alphas_reduce'):
        one = dict(a); one[where] = full[where]
        with pytest.raises(ValueError, match=r'^cannot derive a cell from non-finite architecture parameters \(alpha or beta holds NaN or inf\)$'):
            derive_genotype(method, 's0', one['alphas_normal'], one['alphas_reduce'], one.get('betas_normal'), one.get('betas_reduce'))

def test_tau_max_inf_from_the_shell(tmp_path):
    out = tmp_path/'run'
    p = subprocess.run(cli_cmd('rome_search', 'rome_nb.search') + ['--preset', 'quick', '--epochs', '1', '--limit', '64',
                       '--layers', '2', '--channels', '4', '--quiet', '--device', 'cpu', '--tau-max', 'inf', '--out', str(out)],
                       env=quiet_env(), capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert_one_line_error((p.returncode, p.stdout, p.stderr), 'tau_max must be a finite number > 0, got inf')
    assert not out.exists()
