import os, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault('ROME_NO_PROGRESS', '1')
try:
    import torch
    torch.set_num_threads(1)
except ImportError: pass

import pytest

@pytest.fixture(scope='session')
def site(tmp_path_factory):
    "The offline docs site (tools/build_docs), built once per session: (its folder, {notebook: (page, title)})"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'tools'))
    import docs_site
    out = tmp_path_factory.mktemp('site')/'_site'
    pages = docs_site.build(out=out, n_workers=2)
    return out, pages
