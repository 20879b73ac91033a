"""The import graph of `rome_nb`, read from the source with `ast` (imports at module level and inside functions alike):
no cycles, and the core (sampler, ops, spaces, genotypes, supernet) never imports the run machinery above it."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1]/'rome_nb'
CORE = ('gumbel', 'ops', 'spaces', 'genotype', 'supernet')
ABOVE_CORE = ('search', 'train', 'protocols', 'memory', 'distributed')

def _targets(node, mod:str, modules:set) -> set:
    "The `rome_nb` modules one import statement in `rome_nb.<mod>` names"
    names = set()
    if isinstance(node, ast.ImportFrom):
        if node.level:                                                  # from .x import y / from . import x
            base = node.module or ''
            if node.level > 1: return names                             # above the package: not ours
            if base: names.add(base.split('.')[0])
            else: names.update(a.name for a in node.names)
        elif node.module and (node.module == 'rome_nb' or node.module.startswith('rome_nb.')):
            sub = node.module.split('.')[1:]
            if sub: names.add(sub[0])
            else: names.update(a.name for a in node.names)              # from rome_nb import x
    elif isinstance(node, ast.Import):
        for a in node.names:
            parts = a.name.split('.')
            if parts[0] == 'rome_nb' and len(parts) > 1: names.add(parts[1])
    return {n for n in names if n in modules and n != mod}

def import_graph(pkg:Path=PKG) -> dict:
    "module -> set of `rome_nb` modules it imports anywhere in its source"
    files = {p.stem: p for p in pkg.glob('*.py') if p.stem != '__init__'}
    modules = set(files)
    return {m: set().union(*[_targets(n, m, modules) for n in ast.walk(ast.parse(f.read_text(), str(f)))], set())
            for m, f in files.items()}

def find_cycle(graph:dict) -> list|None:
    "One import cycle as [a, b, ..., a], or None"
    state, stack = {}, []
    def visit(m):
        state[m] = 'open'; stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 'open': return stack[stack.index(n):] + [n]
            if n not in state and (c := visit(n)): return c
        state[m] = 'done'; stack.pop()
        return None
    for m in sorted(graph):
        if m not in state and (c := visit(m)): return c
    return None

def test_graph_reader_sees_every_import_form(tmp_path):
    (tmp_path/'a.py').write_text("from .b import x\ndef f():\n    from rome_nb.c import y\n    import rome_nb.d\n")
    (tmp_path/'b.py').write_text("from rome_nb import c\n")
    (tmp_path/'c.py').write_text("import os\n")
    (tmp_path/'d.py').write_text("def g():\n    from . import a\n")
    g = import_graph(tmp_path)
    assert g == {'a': {'b', 'c', 'd'}, 'b': {'c'}, 'c': set(), 'd': {'a'}}
    assert find_cycle(g) == ['a', 'd', 'a']
    assert find_cycle({'a': {'b'}, 'b': set()}) is None

def test_no_import_cycle():
    g = import_graph()
    assert {'distributed', 'search', 'supernet'} <= set(g)
    cycle = find_cycle(g)
    assert cycle is None, f"import cycle in rome_nb: {' -> '.join(cycle)}"

def test_core_does_not_import_the_run_machinery():
    g = import_graph()
    bad = {m: sorted(g[m] & set(ABOVE_CORE)) for m in CORE if m in g and g[m] & set(ABOVE_CORE)}
    assert not bad, f"core modules import modules above them: {bad}"

def test_distributed_imports_nothing_of_rome_nb():
    assert import_graph()['distributed'] == set(), "distributed.py holds collectives and rank bookkeeping only"
