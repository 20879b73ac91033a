"""README.md is generated from nbs/index.ipynb (Quarto, which `nbdev-readme` needs, is optional).

    python tests/readme_sync.py --write   # regenerate README.md
    python tests/readme_sync.py           # exit 1 if README.md is out of date
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def readme_text(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    "Markdown of the index notebook: markdown cells as they are, shown code cells fenced, hidden cells dropped."
    cells = json.loads(Path(nb_path).read_text())['cells']
    parts = []
    for c in cells:
        src = ''.join(c['source']).strip()
        if not src: continue
        if c['cell_type'] == 'markdown': parts.append(src)
        elif c['cell_type'] == 'code':
            lines = src.splitlines()
            if any(l.strip() in ('#| hide', '#|hide', '#| export', '#| exporti') for l in lines[:3]): continue
            body = '\n'.join(l for l in lines if not l.startswith('#|'))
            if body.strip(): parts.append(f'```python\n{body}\n```')
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    want, path = readme_text(), ROOT/'README.md'
    if '--write' in sys.argv:
        path.write_text(want); print(f'wrote {path.name}')
    elif not path.exists() or path.read_text() != want:
        print('README.md is out of date: run `python tests/readme_sync.py --write`'); sys.exit(1)
