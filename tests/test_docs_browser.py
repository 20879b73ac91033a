"""The offline docs site read in a real browser (headless Chromium through Selenium), the way a new user reads it.

At a 1400×900 window, on every page: nothing in the article sticks out of the article column (a box that scrolls
itself, such as a wide table's, may be wider; a box that clips its content may not cut it); MathJax finished and
typeset every formula without an error; no "Author name not set", no temporary folders, no raw backticks in the
page's subtitle or description; every figure loaded and shown at ≥ 60 % of its natural width; no id twice.

Needs the `selenium` package and Debian's `chromium` + `chromium-driver` (skipped, with the reason, without them).
By hand, on a built site: `python tests/test_docs_browser.py _site [page.html ...]` prints each page's problems."""
import os, re, shutil, sys, time
from pathlib import Path
import pytest

WINDOW = (1400, 900)
MIN_SCALE = 0.6                       # a figure may be shown no smaller than this share of its natural width
TMP_PATH = re.compile(r'/tmp/|/var/folders/|[/\\]tmp[a-z0-9_]{8}\b|<temporary folder>|\bAppData\\Local\\Temp\b')

# One call per page: everything measured in the page itself, returned as a dict of lists of problems.
PROBE = r'''
const done = arguments[arguments.length - 1];
const out = {overflow: [], clipped: [], math: [], text: [], desc: [], img: [], ids: []};
const label = el => {
  let s = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className == 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  return s + ' "' + (el.innerText || el.textContent || '').trim().slice(0, 60).replace(/\s+/g, ' ') + '"';
};
async function probe() {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    try { await MathJax.startup.promise; } catch (e) { out.math.push('MathJax failed: ' + e); }
  }
  const art = document.querySelector('article.bd-article') || document.querySelector('article') || document.querySelector('main');
  if (!art) { out.overflow.push('no article'); return out; }
  const right = art.getBoundingClientRect().right;
  for (const el of art.querySelectorAll('*')) {
    const mjx = el.closest('mjx-container');                                 // a formula is measured by its <svg>, not its
    if (mjx && !(el.tagName.toLowerCase() == 'svg' && el.parentElement === mjx)) continue;   // glyphs or hidden speech text
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    let box = el.parentElement, ok = false;
    for (; box && box !== art; box = box.parentElement) {
      const ox = getComputedStyle(box).overflowX;
      if (ox == 'auto' || ox == 'scroll') { ok = true; break; }           // scrolls itself: wide content is reachable
      if ((ox == 'hidden' || ox == 'clip') && r.right > box.getBoundingClientRect().right + 1) {
        out.clipped.push(label(el) + ' cut by ' + label(box)); ok = true; break;
      }
    }
    if (!ok && r.right > right + 1) out.overflow.push(label(el) + ` right edge ${Math.round(r.right)} > ${Math.round(right)}`);
  }
  for (const pre of art.querySelectorAll('pre'))                           // code and outputs wrap: no line hidden to the right
    if (pre.scrollWidth > pre.clientWidth + 1) out.overflow.push(label(pre) + ` needs scrolling: ${pre.scrollWidth} px in ${pre.clientWidth}`);
  for (const e of document.querySelectorAll('mjx-merror, [data-mjx-error], .MathJax_Error'))
    out.math.push('MathJax error: ' + (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 80));
  const raw = [...art.querySelectorAll('.math')].filter(m => !m.querySelector('mjx-container'));
  if (raw.length) out.math.push(`${raw.length} formula(s) not typeset, e.g. ${raw[0].textContent.slice(0, 60)}`);
  out.bodyText = document.body.innerText;
  for (const d of document.querySelectorAll('.page-description')) if (d.textContent.includes('`')) out.desc.push('subtitle: ' + d.textContent);
  const meta = document.querySelector('meta[name="description"]');
  if (meta && meta.content.includes('`')) out.desc.push('meta description: ' + meta.content);
  for (const img of art.querySelectorAll('img')) {
    const name = img.getAttribute('src').split('/').pop();
    if (!img.complete || !img.naturalWidth) { out.img.push(name + ': not loaded'); continue; }
    const shown = img.getBoundingClientRect().width;
    if (shown < MIN_SCALE * img.naturalWidth) out.img.push(`${name}: shown ${Math.round(shown)} px of ${img.naturalWidth}`);
  }
  const seen = {};
  for (const e of document.querySelectorAll('[id]')) seen[e.id] = (seen[e.id] || 0) + 1;
  out.ids = Object.keys(seen).filter(k => seen[k] > 1).map(k => `${k} ×${seen[k]}`);
  return out;
}
const MIN_SCALE = arguments[0];
probe().then(done, e => done({error: String(e)}));
'''

def _driver():
    "A headless Chromium at 1400×900, or the reason there is none"
    try: from selenium import webdriver
    except ImportError: return None, 'selenium is not installed (pip install selenium)'
    chrome = next((p for p in map(shutil.which, ('chromium', 'chromium-browser', 'google-chrome')) if p), None)
    drv = shutil.which('chromedriver')
    if not chrome or not drv: return None, 'no chromium / chromedriver (apt-get install chromium chromium-driver)'
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = chrome
    for a in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', f'--window-size={WINDOW[0]},{WINDOW[1]}',
              '--allow-file-access-from-files', '--force-device-scale-factor=1', '--hide-scrollbars'):
        opts.add_argument(a)
    try: d = webdriver.Chrome(service=Service(drv), options=opts)
    except Exception as e: return None, f'chromium did not start: {str(e).splitlines()[0]}'
    d.set_window_size(*WINDOW)
    d.set_script_timeout(30)
    return d, None

def problems(driver, page: Path):
    "{kind: [problem, ...]} for one page of the site (empty lists when it reads well)"
    driver.get(page.resolve().as_uri())
    r = driver.execute_async_script(PROBE, MIN_SCALE)
    if 'error' in r: return {'probe': [r['error']]}
    text = r.pop('bodyText', '')
    if 'Author name not set' in text: r['text'].append('"Author name not set"')
    r['text'] += [f'temporary path: ...{text[max(0, m.start()-40):m.end()+20]!r}...' for m in TMP_PATH.finditer(text)]
    width = driver.execute_script('return [document.documentElement.scrollWidth, window.innerWidth]')
    if width[0] > width[1]: r['overflow'].append(f'the page scrolls sideways: {width[0]} px wide in a {width[1]} px window')
    return {k: v for k, v in r.items() if v}

def pages(site: Path):
    return sorted(p for p in site.rglob('*.html') if '_static' not in p.parts)

@pytest.fixture(scope='module')
def browser():
    d, why = _driver()
    if d is None: pytest.skip(why)
    yield d
    d.quit()

def test_every_page_reads_well_in_a_browser(site, browser):
    out, _ = site
    ps = pages(out)
    assert len(ps) >= 40, len(ps)
    t0, bad = time.time(), {}
    for p in ps:
        pr = problems(browser, p)
        if pr: bad[p.relative_to(out).as_posix()] = pr
    took = time.time() - t0
    assert not bad, '\n'.join(f'{k}: {v}' for k, v in bad.items())
    assert took < 10 * len(ps), f'{took:.0f} s for {len(ps)} pages'

def test_probe_sees_problems(tmp_path, browser):
    "The probe itself: a page with each fault is reported for each of them"
    (tmp_path/'a.png').write_bytes(bytes.fromhex('89504e470d0a1a0a0000000d4948445200000001000000010806000000'
                                                 '1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082'))
    (tmp_path/'bad.html').write_text('''<html><head><meta name="description" content="a `raw` subtitle"></head><body>
      <article class="bd-article" style="width:400px"><p class="page-description">uses `code`</p>
      <pre style="overflow:visible; white-space:pre">''' + 'x' * 200 + '''</pre>
      <div style="overflow:hidden; width:100px"><span style="white-space:nowrap; display:inline-block">''' + 'y' * 100 + '''</span></div>
      <div style="overflow-x:auto"><table><tr><td style="white-space:nowrap">''' + 'z' * 200 + '''</td></tr></table></div>
      <p>run folder: /tmp/tmpab12cd_3/search. By Author name not set</p><img src="a.png" style="width:60%; min-width:0">
      <img src="missing.png"><span id="x"></span><span id="x"></span></article></body></html>''')
    pr = problems(browser, tmp_path/'bad.html')
    assert any(o.startswith('pre "xxx') for o in pr['overflow']), pr
    assert any('scrolls sideways' in o for o in pr['overflow']), pr
    assert not any('zzz' in o for o in pr['overflow']), pr                   # the table scrolls in its own box: fine
    assert len(pr['clipped']) == 1 and 'span' in pr['clipped'][0], pr
    assert len(pr['desc']) == 2 and len(pr['text']) == 2, pr
    assert pr['ids'] == ['x ×2'] and pr['img'] == ['missing.png: not loaded'], pr
    (tmp_path/'good.html').write_text('<html><body><article class="bd-article" style="width:400px"><p>fine</p>'
                                      '<img src="a.png"></article></body></html>')
    assert problems(browser, tmp_path/'good.html') == {}

if __name__ == '__main__':
    site = Path(sys.argv[1] if len(sys.argv) > 1 else 'site')
    d, why = _driver()
    if d is None: raise SystemExit(why)
    try:
        for p in ([site/a for a in sys.argv[2:]] or pages(site)):
            t = time.time(); pr = problems(d, p)
            print(f'{p.relative_to(site)} ({time.time() - t:.1f} s)', 'ok' if not pr else '')
            for k, v in pr.items():
                for x in v[:8]: print(f'   {k}: {x}')
                if len(v) > 8: print(f'   {k}: ... {len(v) - 8} more')
    finally: d.quit()
