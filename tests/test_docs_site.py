"""The offline docs site (`tools/build_docs`: Sphinx + MyST-NB from nbdev's processed notebooks), built once per session."""
import json, re, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, unquote
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

def notebooks():
    return sorted(p.relative_to(ROOT/'nbs').as_posix() for p in (ROOT/'nbs').rglob('*.ipynb')
                  if not any(s.startswith(('.', '_')) for s in p.relative_to(ROOT/'nbs').parts))

class Page(HTMLParser):
    "Links, scripts, stylesheets, ids, <img> in the article, the <title> and the visible text of one page."
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.refs, self.ids, self.text, self.imgs, self.title = [], set(), [], 0, ''
        self._skip = self._in_title = self._article = self._literal = 0
        self.prose = []                                   # text outside inline code literals (`#| slow` in a sentence is prose)
        self.feed(text)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if 'id' in a: self.ids.add(a['id'])
        if tag == 'a' and 'name' in a: self.ids.add(a['name'])
        if tag in ('script', 'style'): self._skip += 1
        if tag == 'code' and 'literal' in (a.get('class') or ''): self._literal += 1
        if tag == 'title': self._in_title = 1
        if tag == 'article': self._article += 1
        if tag == 'img' and self._article: self.imgs += 1
        for k in ('href', 'src'):
            if a.get(k) is not None: self.refs.append((tag, a.get('rel', ''), k, a[k]))
    def handle_endtag(self, tag):
        if tag in ('script', 'style'): self._skip -= 1
        if tag == 'code' and self._literal: self._literal -= 1
        if tag == 'title': self._in_title = 0
        if tag == 'article': self._article -= 1
    def handle_data(self, data):
        if self._in_title: self.title += data
        if not self._skip: self.text.append(data)
        if not self._skip and not self._literal: self.prose.append(data)

@pytest.fixture(scope='session')
def parsed(site):
    out, _ = site
    return {f.relative_to(out).as_posix(): Page(f.read_text(encoding='utf-8')) for f in out.rglob('*.html')}

def _frontmatter_title(nb):
    cells = json.loads((ROOT/'nbs'/nb).read_text())['cells']
    for c in cells:
        src = ''.join(c['source'])
        m = re.search(r'^#\s+(.+?)\s*$', src, re.M) if c['cell_type'] == 'markdown' else None
        if m: return m.group(1)
    return None

def test_every_notebook_has_a_page_with_its_title(site, parsed):
    out, pages = site
    assert set(pages) == set(notebooks())
    assert (out/'index.html').exists()
    for rel, (href, title) in pages.items():
        assert (out/href).exists(), rel
        want = _frontmatter_title(rel) or title
        assert parsed[href].title.startswith(want), (rel, parsed[href].title, want)
        assert f'<h1>{want}' in (out/href).read_text(encoding='utf-8').replace('&#8212;', '—'), (rel, want)
        assert '<meta name="description" content="' in (out/href).read_text(encoding='utf-8'), rel

def test_every_notebook_is_in_the_sidebar(site, parsed):
    side = yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())
    txt = json.dumps(side)
    missing = [nb for nb in notebooks() if f'"{nb}"' not in txt]
    assert not missing, f'add to nbs/sidebar.yml: {missing}'
    index = (site[0]/'index.html').read_text(encoding='utf-8')
    for caption in ('Tutorials', 'Explanations', 'API'):
        assert f'caption-text">{caption}<' in index, caption

def test_no_quarto_syntax_in_page_text(parsed):
    "No cell option (`#| ...`) in code cells or text, no Quarto link attributes; prose may name a flag in `code`."
    bad = {href: [w for w in ('#|', '{target=') if w in ''.join(p.prose)] for href, p in parsed.items()}
    assert not {k: v for k, v in bad.items() if v}

def test_nothing_loaded_from_outside_the_site(parsed):
    ext = [(href, r) for href, p in parsed.items() for r in p.refs
           if (r[0] in ('script', 'img', 'iframe') or (r[0] == 'link' and r[1] in ('stylesheet', 'preload', 'modulepreload', 'icon')))
           and (urlsplit(r[3]).scheme or r[3].startswith('//'))]
    assert not ext, ext[:5]

def test_api_signatures_and_docstrings_appear(site, parsed):
    out, pages = site
    from rome_nb.gumbel import gumbel_topk, topk_inclusion
    href = pages['01_gumbel.ipynb'][0]
    text = re.sub(r'\s+', ' ', ''.join(parsed[href].text))
    for f in (gumbel_topk, topk_inclusion):
        assert f'def {f.__name__}(' in text, f.__name__
        assert f.__name__ in parsed[href].ids, f'no anchor #{f.__name__}'
        first = f.__doc__.strip().splitlines()[0]
        assert re.sub(r'\s+', ' ', first)[:40] in text, first

def test_math_is_ready_to_typeset_offline(site, parsed):
    """Pages with math carry Sphinx's math markup (TeX in \\(..\\) / \\[..\\]) and load the MathJax 3 copied into the site,
    which typesets it in the browser as SVG (no web fonts, so it works from file:// too)."""
    out, pages = site
    with_math = [href for href, p in parsed.items() if 'class="math' in (out/href).read_text(encoding='utf-8')]
    assert pages['01_gumbel.ipynb'][0] in with_math, 'the Gumbel chapter has formulas'
    for href in with_math:
        html = (out/href).read_text(encoding='utf-8')
        assert re.search(r'<span class="math notranslate nohighlight">\\\(.+?\\\)</span>', html) or '<div class="math' in html, href
        mj = [r[3] for r in parsed[href].refs if r[0] == 'script' and r[3].split('?')[0].endswith('mathjax/tex-svg.js')]
        assert mj, f'{href}: no MathJax script'
        assert (out/href).parent.joinpath(urlsplit(mj[0]).path).resolve().exists(), mj[0]

def _image_outputs(rel):
    nb = json.loads((ROOT/'nbs'/rel).read_text())
    return sum(1 for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])
               if any(k in o.get('data', {}) for k in ('image/png', 'image/svg+xml')))

def test_figures_are_on_their_pages(site, parsed):
    out, pages = site
    figs = {rel: _image_outputs(rel) for rel in notebooks()}
    assert sum(figs.values()), 'no notebook carries a figure'
    for rel, n in figs.items():
        assert parsed[pages[rel][0]].imgs >= n, (rel, parsed[pages[rel][0]].imgs, n)
        if n: assert parsed[pages[rel][0]].imgs == n, (rel, parsed[pages[rel][0]].imgs, n)

def test_no_local_link_is_broken(site, parsed):
    out, _ = site
    broken, n = [], 0
    for href, p in parsed.items():
        here = (out/href).parent
        for tag, rel, k, url in p.refs:
            u = urlsplit(url)
            if u.scheme or url.startswith(('//', 'mailto:', 'javascript:')) or (tag == 'link' and 'preconnect' in rel): continue
            n += 1
            target = (here/unquote(u.path)).resolve() if u.path else out/href
            if u.path and not target.exists(): broken.append((href, url)); continue
            if u.fragment and target.suffix == '.html':
                tp = parsed.get(target.relative_to(out).as_posix())
                if tp is not None and u.fragment not in tp.ids: broken.append((href, url))
    assert n > 100
    assert not broken, broken[:10]

def test_api_links_point_to_local_pages(parsed):
    site_url = 'https://rome-nb.github.io/rome_nb/'
    left = [(href, r[3]) for href, p in parsed.items() for r in p.refs if r[3].startswith(site_url)]
    assert not left, left[:5]
