"""Build the docs site without Quarto: nbdev's processed notebooks (`nbdev-proc-nbs`, i.e. `nbdev.serve.proc_nbs`)
rendered to static HTML with nbconvert, plus an index page grouped like `nbs/sidebar.yml`.

    python tools/offline_docs.py            # writes _site/ (index.html + one page per notebook)
    python -m http.server -d _site 8000     # preview

With Quarto installed, `nbdev-docs` (build) and `nbdev-preview` (live preview) give the full site instead.
"""
import html, json, re, shutil, sys
from pathlib import Path

import nbformat, yaml
from nbconvert import HTMLExporter
from nbdev.config import get_config
from nbdev.serve import proc_nbs

ROOT = Path(__file__).resolve().parents[1]
_NAV_CSS = 'position:fixed;top:0;left:0;width:240px;height:100%;overflow:auto;padding:12px;font-size:14px;border-right:1px solid #ddd;background:#fafafa'

def _title(nb, fallback):
    "Title from the processed notebook's front matter (raw cell) or first heading."
    for c in nb.cells:
        src = c.source
        if c.cell_type == 'raw' and src.startswith('---'):
            m = re.search(r"^title:\s*['\"]?(.*?)['\"]?\s*$", src, re.M)
            if m: return m.group(1)
        if c.cell_type == 'markdown':
            m = re.search(r'^#\s+(.+)$', src, re.M)
            if m: return m.group(1)
    return fallback

def _sidebar(nbs):
    "[(section, [notebook paths relative to nbs])] from sidebar.yml (custom sidebar)."
    def walk(items, out, section):
        for it in items:
            if isinstance(it, str): out.setdefault(section, []).append(it)
            elif isinstance(it, dict) and 'section' in it: walk(it.get('contents', []), out, it['section'])
            elif isinstance(it, dict) and 'href' in it: out.setdefault(section, []).append(it['href'])
        return out
    y = yaml.safe_load((nbs/'sidebar.yml').read_text()) if (nbs/'sidebar.yml').exists() else {}
    return list(walk(y.get('website', {}).get('sidebar', {}).get('contents', []), {}, 'Home').items())

def _read(p):
    "A processed notebook, minus the per-cell execution timings that nbdev's runner records (not valid nbformat)."
    d = json.loads(Path(p).read_text())
    for c in d.get('cells', []): c.get('metadata', {}).pop('execution', None)
    return nbformat.reads(json.dumps(d), as_version=4)

def page_name(rel: Path) -> Path:
    "nbs/03_genotype.ipynb -> genotype.html, as nbdev/Quarto name pages (numeric prefix dropped)."
    return rel.with_name(re.sub(r'^\d+[a-zA-Z0-9]*_', '', rel.name.lower())).with_suffix('.html')

def build(out=ROOT/'_site', n_workers=0):
    cfg = get_config(ROOT)
    nbs = cfg.nbs_path
    cache = proc_nbs(path=str(nbs), n_workers=n_workers)
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    exp = HTMLExporter(template_name='lab')  # images stay embedded as data: URIs
    exp.exclude_input_prompt = exp.exclude_output_prompt = True
    pages, bodies = {}, {}
    for p in sorted(cache.rglob('*.ipynb')):
        rel = p.relative_to(cache)
        if any(part.startswith(('.', '_')) for part in rel.parts): continue
        nb = _read(p)
        title = _title(nb, rel.stem)
        nb.cells = [c for c in nb.cells if not (c.cell_type == 'raw' and c.source.startswith('---'))]
        bodies[rel.as_posix()], _ = exp.from_notebook_node(nb)
        pages[rel.as_posix()] = (page_name(rel).as_posix(), title)
    def nav(depth):
        up = '../' * depth
        listed, items = set(), []
        for section, entries in _sidebar(nbs):
            links = [f'<li><a href="{up}{pages[e][0]}">{html.escape(pages[e][1])}</a></li>' for e in entries if e in pages]
            listed.update(e for e in entries if e in pages)
            if links: items.append(f'<h4>{html.escape(section)}</h4><ul>{"".join(links)}</ul>')
        rest = [f'<li><a href="{up}{h}">{html.escape(t)}</a></li>' for k, (h, t) in pages.items() if k not in listed]
        if rest: items.append(f'<h4>Other pages</h4><ul>{"".join(rest)}</ul>')
        return f'<nav class="rome-nav" style="{_NAV_CSS}"><b>{html.escape(cfg.title)}</b>{"".join(items)}</nav>'
    for k, body in bodies.items():
        href = pages[k][0]
        dst = out/href
        dst.parent.mkdir(parents=True, exist_ok=True)
        body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + nav(href.count('/')) + '<div style="margin-left:260px">', body, count=1)
        dst.write_text(body.replace('</body>', '</div></body>', 1))
    (out/'site-index.html').write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(cfg.title)} docs</title></head>'
        f'<body>{nav(0)}<div style="margin-left:260px"><h1>{html.escape(cfg.title)}</h1><p>{html.escape(cfg.description)}</p></div></body></html>')
    (out/'pages.json').write_text(json.dumps(pages, indent=1))
    return out, pages

if __name__ == '__main__':
    out, pages = build()
    print(f'{len(pages)} pages written to {out.relative_to(ROOT)}/ (start at site-index.html or index.html)')
