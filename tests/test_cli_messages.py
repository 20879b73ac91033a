"""Inputs that once gave a traceback or a misleading message, each now one clear line: the value and what is allowed."""
import subprocess
from pathlib import Path
import pytest
from cli import cli_cmd, quiet_env, assert_one_line_error
from rome_nb.train import rome_train
from rome_nb.memory import rome_memory
from rome_nb.launch import rome_protocol

def run(script, *args, cwd=None):
    p = subprocess.run(cli_cmd(script) + [str(a) for a in args], env=quiet_env(), capture_output=True, text=True,
                       timeout=300, cwd=cwd)
    return p.returncode, p.stdout, p.stderr

# --- 7: tracebacks ---------------------------------------------------------------------------------------------------
def test_gumbel_huge_probabilities():
    assert_one_line_error(run('rome_gumbel', '--probs', '1e308,1e308', '--n', '10'),
                          'p must be probabilities in [0, 1] that sum to 1, got p[0]=1e+308')

def test_memory_image_too_small():
    with pytest.raises(ValueError, match=r"--size must be a multiple of 4 with --layers 2 \(its 2 reduction cells halve the image"):
        rome_memory(size=1, batch_size=2, layers=2, channels=4, peak=False, timing=False, samples=1, quiet=True)
    with pytest.raises(ValueError, match='--size must be a multiple of 2 with --layers 1'):
        rome_memory(size=3, batch_size=2, layers=1, channels=4, peak=False, timing=False, samples=1, quiet=True)

def test_memory_image_too_small_from_the_shell():
    assert_one_line_error(run('rome_memory', '--size', '1', '--batch-size', '2', '--layers', '2', '--channels', '4',
                              '--no-peak', '--no-timing', '--samples', '1'), '--size must be a multiple of 4 with --layers 2')

# --- 9: misleading messages ------------------------------------------------------------------------------------------
def test_gumbel_probabilities_that_start_with_a_minus():
    assert_one_line_error(run('rome_gumbel', '--probs', '-0.5,1.5'), 'p must be finite and >= 0, got p[0]=-0.5')

TRAIN = dict(preset='quick', epochs=1, layers=3, channels=4, limit=64, device='cpu', quiet=True)

@pytest.mark.parametrize('over,says', [
    (dict(dataset='npz'), "dataset 'npz' needs its file: give the path of the .npz file as the dataset (--dataset data/mine.npz) or as --data-root"),
    (dict(dataset='cifar10', data_root=''), "data root '' is empty; give --data-root (root= in Python) the folder holding CIFAR-10, or leave it out"),
    (dict(dataset='svhn', data_root='{file}'), "data root '{file}' is a file; give --data-root (root= in Python) the folder holding SVHN"),
])
def test_data_root_messages(tmp_path, over, says):
    (tmp_path/'afile').write_text('x')
    over = {k: v.replace('{file}', str(tmp_path/'afile')) for k, v in over.items()}
    with pytest.raises((ValueError, OSError)) as e: rome_train(**TRAIN, **over, out=str(tmp_path/'o'))
    assert says.replace('{file}', str(tmp_path/'afile')) in str(e.value) and 'root=<' not in str(e.value)
    assert not (tmp_path/'o').exists()

def test_empty_data_root_from_the_shell(tmp_path):
    res = run('rome_train', '--preset', 'quick', '--dataset', 'cifar10', '--data-root', '', '--out', tmp_path/'o', cwd=tmp_path)
    assert_one_line_error(res, "data root '' is empty")
    assert list(tmp_path.iterdir()) == []

def test_unknown_protocol_lists_collapse():
    with pytest.raises(ValueError, match="unknown protocol 'nope'; expected one of: s0, table1, k-ablation, memory, collapse, nb201$"):
        rome_protocol('nope')

@pytest.mark.parametrize('name,over,says', [
    ('k-ablation', dict(ks='0,-1'), "bad ks value '0'; expected a comma-separated list of integers >= 1"),
    ('s0', dict(seeds='-1'), "bad seeds value '-1'; expected a count (8: seeds 0..7) or a comma-separated list of integers >= 0"),
    ('s0', dict(seeds='1.5'), "bad seeds value '1.5'; expected a count (8: seeds 0..7) or a comma-separated list of integers >= 0"),
    ('s0', dict(seeds='0,-1'), "bad seeds value '-1'; expected a count (8: seeds 0..7) or a comma-separated list of integers >= 0"),
    ('s0', dict(seeds='0'), "--seeds '0' counts no seed; give a count >= 1 or a list such as 0,"),
    ('memory', dict(seeds='2'), "protocol 'memory' takes one value of --seeds, got 2: 0, 1"),
    ('collapse', dict(train_epochs=2), "--train-epochs means nothing for protocol 'collapse'; it is for s0, table1, k-ablation"),
])
def test_integer_lists(name, over, says):
    with pytest.raises(ValueError) as e: rome_protocol(name, scale='tiny', dry_run=True, **over)
    assert str(e.value) == says
