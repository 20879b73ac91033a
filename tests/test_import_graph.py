"""The import graph of `rome_nb`, read from the source with `ast` (imports at module level and inside functions alike):
no cycles, and imports only go down the layers: utilities, core, spaces (one module per family), methods (the
`rome_nb.methods` package counts as one node), engine, apps."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1]/'rome_nb'
LAYERS = (  # lowest first; a module may import its own layer and the ones below it
    ('utilities', ('runs', 'distributed', 'cli', '_modidx')),
    ('core', ('gumbel', 'ops', 'family', 'sampling')),
    ('spaces', ('darts_space', 'genotype', 'supernet', 'batched', 'nb1shot1', 'nb201', 'spaces', 'evalnet')),
    ('methods', ('methods',)),
    ('engine', ('engine', 'data')),
    ('apps', ('search', 'train', 'memory', 'collapse', 'nb201_protocol', 'protocols', 'launch')),
)
LAYER_OF = {m: i for i, (_, mods) in enumerate(LAYERS) for m in mods}

def _targets(node, mod:str, modules:set, depth:int=1) -> set:
    "The `rome_nb` modules one import statement in `rome_nb.<mod>` names (`depth` 2: a file of the subpackage `mod`)"
    names = set()
    if isinstance(node, ast.ImportFrom):
        if node.level:                                                  # from .x import y / from . import x
            base = node.module or ''
            if node.level != depth: return names                        # inside the subpackage, or above the package
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
    files = {p.stem: [(p, 1)] for p in pkg.glob('*.py') if p.stem != '__init__'}
    files.update({d.name: [(p, 2) for p in sorted(d.glob('*.py'))] for d in pkg.iterdir() if (d/'__init__.py').is_file()})
    modules = set(files)
    return {m: set().union(*[_targets(n, m, modules, depth) for f, depth in fs for n in ast.walk(ast.parse(f.read_text(), str(f)))], set())
            for m, fs in files.items()}

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

def test_subpackage_is_one_node(tmp_path):
    (tmp_path/'a.py').write_text("x = 1\n")
    (tmp_path/'m').mkdir()
    (tmp_path/'m'/'__init__.py').write_text("from .k import y\n")
    (tmp_path/'m'/'k.py').write_text("from ..a import x\nfrom rome_nb.a import x\nfrom . import __init__\n")
    (tmp_path/'b.py').write_text("from .m import y\n")
    assert import_graph(tmp_path) == {'a': set(), 'b': {'m'}, 'm': {'a'}}

def test_no_import_cycle():
    g = import_graph()
    assert {'distributed', 'search', 'supernet', 'methods'} <= set(g)
    cycle = find_cycle(g)
    assert cycle is None, f"import cycle in rome_nb: {' -> '.join(cycle)}"

def test_every_module_has_a_layer():
    missing = sorted(set(import_graph()) - set(LAYER_OF))
    assert not missing, f"modules in no layer of LAYERS: {missing}"

def test_imports_only_go_down():
    g = import_graph()
    up = {m: sorted(n for n in g[m] if LAYER_OF[n] > LAYER_OF[m]) for m in g if m in LAYER_OF}
    up = {m: [f"{n} ({LAYERS[LAYER_OF[n]][0]})" for n in ns] for m, ns in up.items() if ns}
    assert not up, f"modules importing a layer above their own: {up}"
    assert 'methods' in g['search'] and 'spaces' in g['methods'], "the graph reader misses the methods package"

def test_distributed_imports_nothing_of_rome_nb():
    assert import_graph()['distributed'] == set(), "distributed.py holds collectives and rank bookkeeping only"

def test_launch_sits_on_protocols():
    g = import_graph()
    assert 'protocols' in g['launch'], "launch.py runs the protocols' jobs"
    users = sorted(m for m, ns in g.items() if 'launch' in ns)
    assert not users, f"only the console script (by name) may import launch, not {users}"
