"""`rome_train` guards: never into the folder its genotype is read from, a `--space` that the genotype's ops must fit,
an empty genotype name, a finished run resumed, and `TrainConfig` values of the wrong type or out of range."""
import json, subprocess
from dataclasses import replace
from pathlib import Path
import pytest
from cli import cli_cmd, quiet_env, assert_one_line_error
from rome_nb.genotype import PUBLISHED
from rome_nb.train import TrainConfig, train, get_preset, check_config

TT = ['--preset', 'quick', '--epochs', '1', '--limit', '64', '--layers', '3', '--channels', '4', '--quiet', '--device', 'cpu']
CFG = get_preset('quick', layers=3, channels=4, epochs=1, batch_size=32, limit=64, device='cpu')

def run(*args, cwd=None):
    p = subprocess.run(cli_cmd('rome_train') + [str(a) for a in args], env=quiet_env(), capture_output=True, text=True,
                       timeout=300, cwd=cwd)
    return p.returncode, p.stdout, p.stderr

def snapshot(folder): return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob('*')) if p.is_file()}

@pytest.fixture
def search_folder(tmp_path):
    "A finished search run folder: its genotype, checkpoint, log and plots"
    s = tmp_path/'S'; s.mkdir()
    (s/'genotype.json').write_text(PUBLISHED['DARTS_V2'].genotype.to_json())
    for f in ('checkpoint.pt', 'log.jsonl', 'collapse.png', 'config.json'): (s/f).write_text(f'the search {f}')
    return s

# --- 4: the folder the genotype is read from -------------------------------------------------------------------------
def test_train_into_the_genotype_folder_is_refused(search_folder):
    before = snapshot(search_folder)
    res = run(*TT, '--genotype', search_folder, '--out', search_folder, '--overwrite')
    assert_one_line_error(res, f"--out '{search_folder}' is the folder '{search_folder}' that --genotype reads", 'choose another --out')
    assert snapshot(search_folder) == before

@pytest.mark.parametrize('genotype,out,flags', [
    ('{S}', '{S}', dict(resume=True)), ('{S}', '{S}', {}), ('{S}/genotype.json', '{S}', dict(overwrite=True)),
    ('{S}', '{S}/eval', {}), ('{S}', '{S}/../S/eval', dict(overwrite=True)),
])
def test_whatever_the_flags(search_folder, genotype, out, flags):
    g, o = (s.replace('{S}', str(search_folder)) for s in (genotype, out))
    before = snapshot(search_folder)
    with pytest.raises(ValueError, match='that --genotype reads; training there would replace or mix with its files'):
        train(replace(CFG, genotype=g, out=o), show_progress=False, verbose=False, **flags)
    assert snapshot(search_folder) == before

def test_a_genotype_file_beside_the_output_is_fine(tmp_path):
    (tmp_path/'mine.json').write_text(PUBLISHED['PDARTS'].genotype.to_json())
    res = train(replace(CFG, genotype=str(tmp_path/'mine.json'), out=str(tmp_path/'eval')), show_progress=False, verbose=False)
    assert res.epochs_done == 1

# --- 8: --space is checked, with any preset ------------------------------------------------------------------------
def test_space_must_fit_the_genotype(tmp_path):
    g = tmp_path/'darts_v2.json'; g.write_text(PUBLISHED['DARTS_V2'].genotype.to_json())
    res = run(*TT, '--genotype', g, '--space', 's4', '--out', tmp_path/'o')
    assert_one_line_error(res, "the genotype's normal cell has skip_connect on edge 0 -> 4, which space 's4' does not offer there (it offers noise, sep_conv_3x3)")
    assert not (tmp_path/'o').exists()

# --- 9: an empty genotype; a finished run resumed ------------------------------------------------------------------
def test_empty_genotype(tmp_path):
    res = run(*TT, '--genotype', '', '--out', tmp_path/'o', cwd=tmp_path)
    assert_one_line_error(res, "genotype '' is empty; give a published name (DARTS_V1, DARTS_V2")
    assert list(tmp_path.iterdir()) == []

def test_resuming_a_finished_training_says_so(tmp_path, capsys):
    cfg = replace(CFG, out=str(tmp_path/'done'))
    first = train(cfg, show_progress=False, verbose=False)
    capsys.readouterr()
    again = train(cfg, resume=True, show_progress=False)
    out = capsys.readouterr().out.splitlines()
    assert out == [f"rome_train: the training in {tmp_path/'done'} had already finished (1 of 1 epochs); nothing left to run"]
    assert again.history == first.history

# --- TrainConfig: bools from bool only, finite floats, ranges ------------------------------------------------------
@pytest.mark.parametrize('field,value,says', [
    ('auxiliary', 'no', "auxiliary must be True or False; got 'no'"), ('channels_last', 1, 'channels_last must be True or False; got 1'),
    ('download', 'yes', "download must be True or False; got 'yes'"), ('lr', float('inf'), 'lr must be a finite number >= 0; got inf'),
    ('momentum', 1.5, 'momentum must be in [0, 1); got 1.5'), ('weight_decay', float('nan'), 'weight_decay must be a finite number >= 0; got nan'),
    ('epochs', 2.0, 'epochs must be an int >= 1; got 2.0'), ('seed', 2**64, 'seed must be an int in [0, 2**63); got 18446744073709551616'),
    ('layers', True, 'layers must be an int >= 3; got True'), ('data_root', 3, 'data_root must be None or a folder path; got 3'),
    ('device', None, 'device must be auto, cpu, cuda or cuda:N; got None'),
])
def test_train_config_values(field, value, says):
    with pytest.raises(ValueError) as e: check_config(replace(CFG, **{field: value}))
    assert says in str(e.value)
