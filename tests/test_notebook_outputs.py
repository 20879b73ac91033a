"""The notebooks are committed with their outputs (`tools/run_nbs`), so readers see results without running them."""
import json, sys
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parents[1]/'nbs'

# Notebooks whose story is told with figures, and the fewest figures each must show.
FIGURES = {
    '00_problem.ipynb': 1,                      # memory of one step per method, as a bar chart
    '01_gumbel.ipynb': 2,                       # Monte Carlo vs exact inclusion probabilities; the explorer's static frame
    '03b_genotype.ipynb': 1,                     # the genotype cells
    '03c_nb201.ipynb': 2,                       # a NAS-Bench-201 cell; three cells side by side
    '06a_memory.ipynb': 1,                      # the memory table as a bar chart
    '06_search.ipynb': 2,                       # the collapse monitor and the search curves
    '09_train.ipynb': 1,                        # training curves
    '11b_nb201_protocol.ipynb': 1,              # benchmark accuracy of the derived cell per epoch, made-up records
    '11c_launch.ipynb': 1,                      # a search's curves and architecture weights, read from its TensorBoard event files
    'tutorials/adding_a_space.ipynb': 3,        # a chain; the collapse monitor of its search; the searched chain
    'tutorials/collapse.ipynb': 1,              # GDAS vs ROME skip-connections
    'tutorials/nb201.ipynb': 1,                 # the derived cell's benchmark accuracy per epoch, per method
    'tutorials/quick_search.ipynb': 2,          # the collapse monitor; the cell it found
    'tutorials/full_runs.ipynb': 1,             # a run folder's collapse monitor
    'explanations/topology_consistency.ipynb': 1,
}

def notebooks():
    return sorted(p.relative_to(NBS).as_posix() for p in NBS.rglob('*.ipynb')
                  if not any(s.startswith(('.', '_')) for s in p.relative_to(NBS).parts))

def code_outputs(rel):
    nb = json.loads((NBS/rel).read_text())
    return [o for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])]

def images(rel):
    "Real figures: outputs with an image/png or image/svg+xml."
    return sum(1 for o in code_outputs(rel) if {'image/png', 'image/svg+xml'} & set(o.get('data', {})))

def test_figure_table_names_real_notebooks():
    missing = set(FIGURES) - set(notebooks())
    assert not missing, f'FIGURES names notebooks that do not exist: {sorted(missing)}'

@pytest.mark.parametrize('rel', sorted(FIGURES))
def test_notebook_shows_its_figures(rel):
    n = images(rel)
    assert n >= FIGURES[rel], (f'{rel} shows {n} figure(s), expected at least {FIGURES[rel]}: '
                               f'run `tools/run_nbs nbs/{rel}` and commit it with its outputs')

@pytest.mark.parametrize('rel', [r for r in notebooks() if r != 'index.ipynb'])
def test_notebook_has_outputs(rel):
    outs = [o for o in code_outputs(rel) if o.get('output_type') in ('stream', 'execute_result', 'display_data')]
    assert outs, f'{rel} has no saved outputs: run `tools/run_nbs nbs/{rel}` and commit it with its outputs'

def slow_cells_without_output(rel):
    "Ids of `#| slow` cells that compute something (not only imports) but carry no saved output"
    nb = json.loads((NBS/rel).read_text())
    bad = []
    for c in nb['cells']:
        if c['cell_type'] != 'code': continue
        lines = ''.join(c['source']).splitlines()
        if not any(l.strip() in ('#| slow', '#|slow') for l in lines): continue
        body = [l for l in lines if l.strip() and not l.lstrip().startswith('#')]
        if all(l.startswith(('import ', 'from ')) for l in body): continue
        if not c.get('outputs'): bad.append(c.get('id'))
    return bad

@pytest.mark.parametrize('rel', notebooks())
def test_slow_cells_keep_a_real_runs_output(rel):
    bad = slow_cells_without_output(rel)
    assert not bad, (f'{rel}: #| slow cell(s) {bad} have no saved output: run `tools/run_nbs --slow nbs/{rel}` '
                     'and commit the notebook with its outputs')

def test_image_counter_sees_figures_and_ignores_text(tmp_path, monkeypatch):
    "The counter counts png and svg outputs, not text or error outputs."
    nb = {'cells': [{'cell_type': 'code', 'source': '', 'metadata': {}, 'outputs': [
              {'output_type': 'display_data', 'data': {'image/png': 'iVBOR', 'text/plain': '<Figure>'}, 'metadata': {}},
              {'output_type': 'display_data', 'data': {'image/svg+xml': '<svg/>'}, 'metadata': {}},
              {'output_type': 'stream', 'name': 'stdout', 'text': 'image/png'},
              {'output_type': 'execute_result', 'data': {'text/plain': "'image/png'"}, 'metadata': {}}]},
             {'cell_type': 'markdown', 'source': '![x](data:image/png;base64,AAAA)', 'metadata': {}}],
          'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
    (tmp_path/'x.ipynb').write_text(json.dumps(nb))
    monkeypatch.setattr(sys.modules[__name__], 'NBS', tmp_path)
    assert images('x.ipynb') == 2
