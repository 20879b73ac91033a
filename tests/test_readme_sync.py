import re, tomllib
from pathlib import Path
from readme_sync import readme_text, ROOT

def test_readme_matches_index_notebook():
    assert (ROOT/'README.md').read_text() == readme_text(), 'run `python tests/readme_sync.py --write`'

def test_readme_has_exactly_two_commands_and_they_exist():
    txt = (ROOT/'README.md').read_text()
    section = txt.split('## Two commands', 1)[1].split('\n## ', 1)[0]
    blocks = re.findall(r'```sh\n(.*?)```', section, re.S)
    assert len(blocks) == 2, blocks
    scripts = tomllib.loads((ROOT/'pyproject.toml').read_text())['project']['scripts']
    for tool in re.findall(r'\.venv/bin/(rome_\w+)', blocks[0]): assert tool in scripts, tool
    assert 'bash .ci/run' in blocks[1]
