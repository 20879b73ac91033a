"""The offline docs site (tools/offline_docs.py): one page per notebook, API signatures and docstrings, figures."""
import json, re, sys
from pathlib import Path
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
import offline_docs

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('site')
    return offline_docs.build(out=out, n_workers=2)

def notebooks():
    return sorted(p.relative_to(ROOT/'nbs').as_posix() for p in (ROOT/'nbs').rglob('*.ipynb')
                  if not any(s.startswith(('.', '_')) for s in p.relative_to(ROOT/'nbs').parts))

def test_every_notebook_has_a_page(site):
    out, pages = site
    assert set(pages) == set(notebooks())
    for rel, (href, title) in pages.items():
        assert (out/href).exists(), rel
        assert 'rome-nav' in (out/href).read_text()

def test_every_notebook_is_in_the_sidebar():
    side = yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())
    txt = json.dumps(side)
    missing = [nb for nb in notebooks() if f'"{nb}"' not in txt]
    assert not missing, f'add to nbs/sidebar.yml: {missing}'

def test_api_signatures_and_docstrings_appear(site):
    out, pages = site
    from rome_nb.gumbel import gumbel_topk, topk_inclusion
    page = (out/pages['00_gumbel.ipynb'][0]).read_text()
    for f in (gumbel_topk, topk_inclusion):
        assert f.__name__ in page
        first = f.__doc__.strip().splitlines()[0]
        assert re.sub(r'\s+', ' ', first)[:40] in re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', '', page)), first

def test_figures_are_embedded(site):
    out, pages = site
    with_figs = [rel for rel, (href, _) in pages.items() if 'data:image/png;base64' in (out/href).read_text()]
    nbs_with_png = [rel for rel in notebooks() if '"image/png"' in (ROOT/'nbs'/rel).read_text()]
    assert nbs_with_png, 'no notebook carries a rendered figure'
    assert set(nbs_with_png) <= set(with_figs)
