"""Build the offline docs site with Sphinx + MyST-NB + sphinx-book-theme from nbdev's processed notebooks.

    tools/build_docs                 # writes _site/ (open _site/index.html; no server needed)
    tools/build_docs --out DIR       # somewhere else

`nbdev-proc-nbs` runs the `show_doc` cells and writes the notebooks to `_proc/`. This script then turns them into
MyST notebooks that Sphinx renders without Quarto: the front matter becomes the page title, description and
`<meta name="description">`; `#|` lines are stripped; `echo: false` / `output: false` / `include: false` are honoured;
each `show_doc` output becomes an API entry (heading, anchor, signature, docstring, source link); Quarto link
attributes (`{target="_blank" ...}`) are dropped; links to the published site become links to the local pages.
Math is typeset in the browser by MathJax 3 (SVG output, so no web fonts) copied into the site from the
`django-static-mathjax` wheel, so nothing is fetched from a CDN and pages opened from disk (file://) render.

With Quarto installed, `nbdev-docs` builds the Quarto site into `_docs/` instead (the GitHub deploy workflow does that).
"""
import argparse, html, os, re, shutil, sys, tempfile
from pathlib import Path

import nbformat, yaml

ROOT = Path(__file__).resolve().parents[1]

def _cfg():
    from nbdev.config import get_config
    cfg = get_config(path=ROOT)
    site = yaml.safe_load((cfg.nbs_path/'nbdev.yml').read_text()) if (cfg.nbs_path/'nbdev.yml').exists() else {}
    site_url = (site.get('website', {}) or {}).get('site-url', '').rstrip('/') + '/'
    return cfg, site_url

def _front_matter(nb):
    "(front matter dict, notebook without the front-matter raw cell)"
    for i, c in enumerate(nb.cells):
        if c.cell_type == 'raw' and c.source.lstrip().startswith('---'):
            fm = yaml.safe_load(c.source.strip().strip('-')) or {}
            nb.cells.pop(i)
            return fm
    return {}

_DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')
_QATTR = re.compile(r'\)\{[^{}\n]*=[^{}\n]*\}')         # [text](url){target="_blank" style=...}: Quarto link attributes

def _mixed(cell):
    """A cell that nbdev's docs processor would run only because it imports something, though it also holds other code
    (a test, a search, a file write): the docs build runs just its top-level imports and keeps its saved outputs."""
    import ast, warnings
    from nbdev.processors import _do_eval, _show_docs
    with warnings.catch_warnings():                           # nbdev's "imports and other code" warning: the notebook's business
        warnings.simplefilter('ignore')
        if not _do_eval(cell): return None
    if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}: return None
    trees = cell.parsed_()
    if _show_docs(trees) or all(isinstance(t, (ast.Import, ast.ImportFrom)) for t in trees): return None
    return '\n'.join(ast.unparse(t) for t in trees if isinstance(t, (ast.Import, ast.ImportFrom)))

def _doc_filter():
    "nbdev's notebook processors for the docs, with `exec_show_docs` running only the imports of mixed cells"
    from nbdev.processors import FilterDefaults, exec_show_docs
    class exec_docs(exec_show_docs):
        def __call__(self, cell):
            imports = _mixed(cell) if cell.cell_type == 'code' else None
            if imports is None: return super().__call__(cell)
            if imports and self.nb.has_docs_ and hasattr(self, 'k'): self.k.run_cell(imports)
    class DocsFilter(FilterDefaults):
        def base_procs(self): return [exec_docs if p is exec_show_docs else p for p in super().base_procs()]
    return DocsFilter

class DocsFilter:
    "A picklable stand-in for nbdev's `FilterDefaults` (proc_nbs sends it to spawned workers by name)"
    def __call__(self, nb): return _doc_filter()()(nb)

def _directives(src):
    "(Quarto cell options of a code cell, source without its `#|` lines)"
    opts, keep = {}, []
    for line in src.splitlines():
        m = _DIRECTIVE.match(line)
        if m: opts[m.group(1)] = m.group(2).strip().lower() or 'true'
        else: keep.append(line)
    return opts, '\n'.join(keep).strip('\n')

def _class_line(url, name):
    "`class Name(Bases):` for a class documented at `url` (its [source] link), or None"
    import importlib, inspect
    m = re.search(r'/blob/[^/]+/(.+?)\.py#', url or '')
    if not m: return None
    try:
        obj = importlib.import_module(m.group(1).replace('/', '.'))
        for part in name.split('.'): obj = getattr(obj, part)
    except Exception: return None
    if not inspect.isclass(obj): return None
    return f"class {name}({', '.join(b.__name__ for b in obj.__bases__)}):"

def _api_entry(md):
    """show_doc's markdown -> a MyST API entry: heading with nbdev's anchor, source link, signature, docstring, index entry.
    Names defined in the notebook's kernel lose their `__main__.`; a class that only inherits `(*args, **kwargs)`
    (an exception) shows its bases instead."""
    md = _QATTR.sub(')', md).replace('\n---\n', '\n', 1).lstrip('-\n ')
    md = re.sub(r'\b__main__\.', '', md)
    m = re.search(r'^(#{2,5})\s+(.+?)\s*$', md, re.M)
    if not m: return md
    name = re.sub(r'[`*\\]', '', m.group(2)).strip()
    src = re.search(r'^\[source\]\((\S+?)\)\s*$', md, re.M)
    strip = lambda t: t.replace(src.group(0), '') if src else t
    head, body = strip(md[:m.start()]).strip(), strip(md[m.end():]).strip('\n')
    anchor = name.lower()
    generic = re.search(r'^```python\ndef ' + re.escape(name.split('.')[-1]) + r'\(\s*\*args, \*\*kwargs\s*\):\n```$', body, re.M)
    if generic and (cls := _class_line(src.group(1) if src else None, name)): body = body.replace(generic.group(0), f'```python\n{cls}\n```')
    link = f'<a class="api-source" href="{src.group(1)}">[source]</a>\n\n' if src else ''
    from docutils.nodes import make_id
    span = f'<span id="{anchor}"></span>\n\n' if make_id(name) != anchor else ''     # the heading's own id is nbdev's anchor
    index = f'```{{index}} single: {name}\n```'
    return '\n\n'.join(p for p in [head, f'{index}\n\n{span}{m.group(1)} `{name}`',
                                   f'::::{{container}} api-entry\n{link}{body}\n::::'] if p)

def _convert(nb):
    "Processed nbdev notebook -> MyST-NB notebook (in place); returns (title, description)."
    fm = _front_matter(nb)
    title, desc = str(fm.get('title', '')).strip(), str(fm.get('description', '')).strip()
    cells = []
    for c in nb.cells:
        if c.cell_type == 'markdown':
            if c.source.strip().startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
            c.source = _QATTR.sub(')', c.source)
            cells.append(c); continue
        if c.cell_type != 'code': continue
        opts, src = _directives(c.source)
        if opts.get('include') == 'false': continue
        outs = c.get('outputs', [])
        mds = [''.join(o.get('data', {}).get('text/markdown', '')) for o in outs if o.get('output_type') in ('execute_result', 'display_data')]
        if 'show_doc(' in src and opts.get('echo') == 'false':     # API entries become markdown, so their headings reach the page ToC
            for md in mds:
                if md.strip(): cells.append(nbformat.v4.new_markdown_cell(_api_entry(md)))
            continue
        if opts.get('output') == 'asis' and mds:                    # other `output: asis` cells: their markdown, as markdown
            cells.append(nbformat.v4.new_markdown_cell(_QATTR.sub(')', '\n\n'.join(mds)))); continue
        c.source = src
        tags = list(c.metadata.get('tags', []))
        if opts.get('echo') == 'false': tags.append('remove-input')
        if opts.get('output') == 'false': tags.append('remove-output')
        if not src.strip(): tags.append('remove-input')
        c.metadata = {'tags': tags} if tags else {}
        widget = 'application/vnd.jupyter.widget-view+json'        # a live widget needs a kernel: the static figure beside it stays
        c.outputs = outs = [o for o in outs if widget not in o.get('data', {})]
        for o in outs:                                              # markdown outputs: same Quarto clean-up
            d = o.get('data', {})
            if 'text/markdown' in d: d['text/markdown'] = _QATTR.sub(')', ''.join(d['text/markdown']))
        cells.append(c)
    head = f'# {title}' if title else ''
    if desc: head += f'\n\n<p class="page-description">{_inline_code(desc)}</p>'
    nb.cells = ([nbformat.v4.new_markdown_cell(head)] if head else []) + cells
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in ('kernelspec', 'language_info')}
    return title, desc

def _inline_code(text):
    "Plain text with `code` spans -> escaped HTML with <code> elements"
    parts = re.split(r'`([^`]+)`', text)
    return ''.join(f'<code class="docutils literal notranslate">{html.escape(p)}</code>' if i % 2 else html.escape(p)
                   for i, p in enumerate(parts))

_NBLINK = re.compile(r'\]\(([^()#\s]+\.ipynb)(#[^()\s]*)?\)')

def _link_notebooks(nb, rel, doc, doc_of):
    "Links to another chapter's notebook (`[x](04a_supernet.ipynb)`, as Quarto and JupyterLab read them) point at that chapter's page source"
    here = Path(rel).parent
    def rep(m):
        target = os.path.normpath((here/m.group(1)).as_posix())
        if target not in doc_of: return m.group(0)
        return f"]({os.path.relpath(doc_of[target][0] + '.ipynb', Path(doc).parent.as_posix() or '.')}{m.group(2) or ''})"
    for c in nb.cells:
        if c.cell_type == 'markdown': c.source = _NBLINK.sub(rep, c.source)

def _sidebar(nbs):
    "[(section caption or None, [notebook paths relative to nbs])], in sidebar.yml's order."
    y = yaml.safe_load((nbs/'sidebar.yml').read_text()) if (nbs/'sidebar.yml').exists() else {}
    out = [(None, [])]
    def walk(items, section):
        for it in items:
            if isinstance(it, str): (out[-1][1] if out[-1][0] == section else out.append((section, [])) or out[-1][1]).append(it)
            elif isinstance(it, dict) and 'section' in it: walk(it.get('contents', []), it['section'])
            elif isinstance(it, dict) and 'href' in it: walk([it['href']], section)
    walk(((y.get('website') or {}).get('sidebar') or {}).get('contents', []), None)
    return [(s, l) for s, l in out if l]

_CONF = '''\
project = {project!r}
author = {author!r}
html_title = {project!r}
extensions = ['myst_nb', 'sphinx.ext.mathjax']
exclude_patterns = ['_build', '**.ipynb_checkpoints']
nb_execution_mode = 'off'                    # the notebooks carry their outputs; the docs build never runs them
nb_merge_streams = True
nb_render_markdown_format = 'myst'
nb_ipywidgets_js = {{}}                        # no widget manager from a CDN; widget cells show their static fallback
myst_enable_extensions = ['dollarmath', 'amsmath', 'colon_fence', 'html_image']
myst_dmath_double_inline = True
html_theme = 'sphinx_book_theme'
html_theme_options = {{'repository_url': {repo!r}, 'use_repository_button': True, 'show_toc_level': 2,
                       'use_download_button': False, 'use_fullscreen_button': False, 'navigation_with_keys': True}}
html_static_path = ['_static']
html_css_files = ['rome_site.css']
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
mathjax_path = 'mathjax/tex-svg.js'          # relative: _static/mathjax/, copied from the django-static-mathjax wheel
mathjax3_config = {{'svg': {{'fontCache': 'global'}}}}   # SVG output: glyphs are in the script, no web fonts to fetch
suppress_warnings = ['myst.header', 'mystnb.unknown_mime_type', 'misc.highlighting_failure', 'myst.xref_missing']
'''

_CSS = '''\
.page-description { font-size: 1.15em; color: var(--pst-color-text-muted); }
.api-entry { border-left: 3px solid var(--pst-color-primary); padding: 0.2em 0 0.2em 0.8em; margin-bottom: 1em; }
a.api-source { float: right; font-size: smaller; }
/* Every line readable at a laptop's width: the article takes the room between the two sidebars, long code and output
   lines wrap instead of scrolling, a wide formula or table scrolls inside its own box, a figure never overflows. */
.bd-page-width { max-width: 100%; }
.bd-main .bd-content .bd-article-container { max-width: 100%; }
.bd-sidebar-secondary { max-width: 15rem; }
div.highlight pre, div.cell_output pre, .output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
div.math, mjx-container[display="true"] { max-width: 100%; overflow-x: auto; overflow-y: hidden; }
.bd-article table { display: block; max-width: 100%; overflow-x: auto; }
.bd-article img { max-width: 100%; height: auto; }
.bd-article td code, .bd-article td code span.pre, .bd-sidebar-secondary code { white-space: normal; overflow-wrap: anywhere; }
'''

def _copy_mathjax(dest):
    """MathJax 3 (tex-svg) from the `django-static-mathjax` wheel (a plain copy of MathJax's es5/ folder, no Django
    needed), without the parts the site never loads (CommonHTML output and its fonts, the speech-rule engine)."""
    import mathjax
    es5 = Path(mathjax.__file__).parent/'static'/'mathjax'/'es5'
    if not (es5/'tex-svg.js').exists(): raise SystemExit(f'MathJax not found at {es5}: pip install django-static-mathjax')
    skip = shutil.ignore_patterns('sre', 'chtml', 'chtml.js', '*-chtml*.js', 'mml-*.js', 'tex-mml-*.js', 'tex-svg-full.js', 'node-main.js')
    shutil.copytree(es5, dest, ignore=skip)

def build(out=ROOT/'_site', n_workers=2, quiet=True):
    """Build the site into `out` (replaced only when the build succeeds); returns {notebook path: (page href, title)}."""
    from nbdev.quarto import proc_nbs
    try:
        import myst_nb, sphinx_book_theme
        from sphinx.application import Sphinx
    except ImportError as e: raise SystemExit(f"build_docs: {e.name} is missing: pip install -e '.[dev]'") from None
    cfg, site_url = _cfg()
    nbs, out = Path(cfg.nbs_path), Path(out).resolve()
    import nbdev.serve
    sys.path.insert(0, str(ROOT/'tools'))
    import docs_site                                          # DocsFilter by its module name, so that spawned workers find it
    saved, nbdev.serve.FilterDefaults = nbdev.serve.FilterDefaults, docs_site.DocsFilter
    try: proc = Path(proc_nbs(n_workers=n_workers, force=True))
    finally: nbdev.serve.FilterDefaults = saved
    sections = _sidebar(nbs)
    listed = [p for _, l in sections for p in l]
    found = sorted(p.relative_to(proc).as_posix() for p in proc.rglob('*.ipynb')
                   if not any(s.startswith(('.', '_')) for s in p.relative_to(proc).parts))
    order = [p for p in listed if p in found] + [p for p in found if p not in listed]
    pages, descs, docmap = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        src, build_dir = Path(tmp)/'src', Path(tmp)/'html'
        (src/'_static').mkdir(parents=True)
        nbs_read, doc_of = {}, {}
        for rel in order:
            nb = nbs_read[rel] = nbformat.read(proc/rel, as_version=4)
            fm = dict(yaml.safe_load(next((c.source.strip().strip('-') for c in nb.cells if c.cell_type == 'raw'), '') or '{}') or {})
            stem = Path(fm.get('output-file') or rel).stem
            doc = (Path(rel).parent/stem).as_posix()
            if doc in _SPHINX_PAGES: doc = Path(rel).with_suffix('').as_posix()     # e.g. search.html is Sphinx's search page
            doc_of[rel] = (doc, stem, fm)
        for rel in order:
            nb, (doc, stem, fm) = nbs_read[rel], doc_of[rel]
            docmap[(Path(rel).parent/f'{stem}.html').as_posix()] = f'{doc}.html'
            _link_notebooks(nb, rel, doc, doc_of)
            title, _ = _convert(nb)
            if doc == 'index': index_nb = nb
            else:
                (src/doc).parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, src/f'{doc}.ipynb')
            pages[rel] = (f'{doc}.html', title or stem)
            descs[f'{doc}.html'] = re.sub(r'`([^`]+)`', r'\1', str(fm.get('description', '') or '').strip())   # meta: plain text
        if 'index.ipynb' not in pages: raise SystemExit('nbs/index.ipynb is missing: the site needs an entry page')
        toc = []
        for caption, items in sections:
            docs = [pages[i][0][:-5] for i in items if i in pages and i != 'index.ipynb']
            if docs: toc.append('```{toctree}\n:hidden:\n' + (f':caption: {caption}\n' if caption else '') + '\n' + '\n'.join(docs) + '\n```')
        extra = [p for p in order if p not in listed]
        if extra: toc.append('```{toctree}\n:hidden:\n:caption: More\n\n' + '\n'.join(pages[p][0][:-5] for p in extra) + '\n```')
        index_nb.cells.append(nbformat.v4.new_markdown_cell('\n\n'.join(toc)))
        nbformat.write(index_nb, src/'index.ipynb')
        (src/'conf.py').write_text(_CONF.format(project=cfg.title, repo=str(cfg.get('git_url', '') or _repo_url()),
                                                author=str(cfg.get('author', '') or cfg.title)))
        (src/'_static'/'rome_site.css').write_text(_CSS)
        _copy_mathjax(src/'_static'/'mathjax')
        app = Sphinx(str(src), str(src), str(build_dir), str(Path(tmp)/'doctrees'), 'html', parallel=1,
                     status=None if quiet else sys.stdout, warning=sys.stderr, freshenv=True)
        app.build()
        if app.statuscode: raise SystemExit(f'sphinx failed with status {app.statuscode}')
        for f in (build_dir/'_static').glob('*macros.html'): f.unlink()     # the theme's Jinja templates, not pages
        shutil.rmtree(build_dir/'_sources', ignore_errors=True)
        _localise_links(build_dir, site_url, descs, docmap)
        tmp_out = out.with_name(out.name + '.tmp')
        shutil.rmtree(tmp_out, ignore_errors=True)
        shutil.copytree(build_dir, tmp_out, ignore=shutil.ignore_patterns('.buildinfo', '.doctrees'))
        shutil.rmtree(out, ignore_errors=True)
        tmp_out.rename(out)
    return pages

_SPHINX_PAGES = {'search', 'genindex', 'py-modindex'}   # pages Sphinx writes itself

def _repo_url():
    import tomllib
    return tomllib.loads((ROOT/'pyproject.toml').read_text()).get('project', {}).get('urls', {}).get('Repository', '')

def _localise_links(site, site_url, descs, docmap):
    """Links to the published site (nbdev writes them for every API name) -> relative links to the local pages
    (`docmap`: published page -> local page); a link to a `#name` with no entry on its page (a private helper nbdev
    knows of) becomes plain code, not a link to the page's top (warned);
    each page's description from its front matter -> `<meta name="description">`."""
    files = {f.relative_to(site).as_posix(): f for f in site.rglob('*.html')}
    ids = {rel: set(re.findall(r'\bid="([^"]+)"', f.read_text(encoding='utf-8'))) for rel, f in files.items()}
    missing = set()
    def local(m, depth):
        path, _, frag = m.group(2).partition('#')
        path = docmap.get(path or 'index.html', path or 'index.html')
        if frag and path in ids and frag not in ids[path]: missing.add(f'{path}#{frag}'); return m.group(4)
        return m.group(1) + '../' * depth + path + (f'#{frag}' if frag else '') + m.group(3) + m.group(4) + '</a>'
    for rel, f in files.items():
        depth = rel.count('/')
        txt = f.read_text(encoding='utf-8')
        new = txt
        if descs.get(rel):
            new = new.replace('<head>', f'<head>\n    <meta name="description" content="{html.escape(descs[rel])}" />', 1)
        if site_url.startswith('http'):
            new = re.sub(r'class="reference external" href="' + re.escape(site_url), 'class="reference internal" href="' + site_url, new)
            new = re.sub(r'(<a [^>]*href=")' + re.escape(site_url) + r'([^"]*)("[^>]*>)(.*?)</a>', lambda m: local(m, depth), new, flags=re.S)
        if new != txt: f.write_text(new, encoding='utf-8')
    for m in sorted(missing): print(f'warning: no API entry for link target {m}; shown as code, not linked', file=sys.stderr)

def main(argv=None):
    ap = argparse.ArgumentParser(description='Build the offline docs site (Sphinx + MyST-NB) into _site/.')
    ap.add_argument('--out', default=str(ROOT/'_site'), help='output folder (default: _site/ in the repository)')
    ap.add_argument('--n-workers', type=int, default=2, help='processes for nbdev-proc-nbs')
    ap.add_argument('-v', '--verbose', action='store_true', help="show Sphinx's progress")
    a = ap.parse_args(argv)
    pages = build(out=a.out, n_workers=a.n_workers, quiet=not a.verbose)
    print(f'{len(pages)} pages in {a.out}; open {Path(a.out)/"index.html"}')

if __name__ == '__main__': main()
