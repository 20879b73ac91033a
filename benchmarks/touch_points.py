"""Where the rest of the package names a method module or a space family: the places a new one of its kind touches.

    python benchmarks/touch_points.py [PACKAGE_DIR]        # default: this checkout's rome_nb/

For each unit (one method module of `methods/`; one space family's modules), every line of another module of the
package that imports the unit or uses a name it imported from it (read with `ast`; a name is followed through the
import that binds it, so another module's own `cutout` or `edge_weights` is not counted). `_modidx.py` (nbdev's index)
is not counted.
"""
import ast, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def defined_names(tree) -> set:
    "Top-level classes, functions and assigned names of a module"
    out = set()
    for n in tree.body:
        if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)): out.add(n.name)
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                out.update(e.id for e in ast.walk(t) if isinstance(e, ast.Name))
    return {n for n in out if not n.startswith('_')}


def _modname(pkg: Path, f: Path) -> str: return '.'.join(f.relative_to(pkg).with_suffix('').parts)


def _imported(tree, short: set, names: set) -> tuple:
    "(lines of imports of the unit, the unit's names this module binds by them, module aliases of the unit)"
    lines, bound, aliases = set(), set(), set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom):
            mod = (n.module or '').split('.')[-1]
            if mod in short:                                  # from .unit import a, b  /  from .unit import *
                lines.add(n.lineno)
                bound.update(names if any(a.name == '*' for a in n.names) else {a.asname or a.name for a in n.names})
            for a in n.names:
                if a.name in short: lines.add(n.lineno); aliases.add(a.asname or a.name)      # from . import unit
        elif isinstance(n, ast.Import):
            for a in n.names:
                if a.name.split('.')[-1] in short: lines.add(n.lineno); aliases.add(a.asname or a.name)
    return lines, bound, aliases


def references(pkg: Path, unit: list) -> list:
    "(file, line) of every import of `unit` (list of module paths) in the other modules of `pkg`, and of every use of what they import from it"
    trees = {f: ast.parse(f.read_text(), str(f)) for f in unit}
    names = set().union(*map(defined_names, trees.values()))
    short = {_modname(pkg, f).split('.')[-1] for f in unit}
    hits = set()
    for f in sorted(pkg.rglob('*.py')):
        if f in trees or f.name == '_modidx.py': continue
        tree = ast.parse(f.read_text(), str(f))
        lines, bound, aliases = _imported(tree, short, names)
        rel = str(f.relative_to(pkg))
        hits.update((rel, l) for l in lines)
        for n in ast.walk(tree):
            if (isinstance(n, ast.Name) and n.id in bound and isinstance(n.ctx, ast.Load)) or \
               (isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in aliases):
                hits.add((rel, n.lineno))
    return sorted(hits)


SPACE_MODULES = ('spaces', 'darts_space', 'supernet', 'genotype', 'nb1shot1', 'nb1shot1_search', 'nb201')
ABOVE_SPACES = ('methods', 'search', 'engine', 'protocols', 'collapse', 'memory', 'train')


def reaches(unit: list, targets) -> list:
    "Names `unit` imports from the modules `targets` (by last dotted part): what it must know of the other side"
    out = set()
    for f in unit:
        for n in ast.walk(ast.parse(f.read_text(), str(f))):
            if isinstance(n, ast.ImportFrom) and (n.module or '').split('.')[-1] in targets:
                out.update(f"{n.module.split('.')[-1]}.{a.name}" for a in n.names)
    return sorted(out)


def method_units(pkg: Path) -> dict:
    d = pkg/'methods'
    return {f.stem: [f] for f in sorted(d.glob('*.py')) if f.stem not in ('__init__', 'base')}


def space_units(pkg: Path) -> dict:
    "The space families present in `pkg`, each as its modules"
    fams = {'darts': ['darts_space', 'supernet'], 'nb1shot1': ['nb1shot1', 'nb1shot1_search'], 'nb201': ['nb201']}
    out = {k: [pkg/f'{m}.py' for m in ms if (pkg/f'{m}.py').exists()] for k, ms in fams.items()}
    if not (pkg/'darts_space.py').exists(): out['darts'] = [pkg/'spaces.py', pkg/'supernet.py']   # before: spaces.py held the DARTS spaces
    return {k: v for k, v in out.items() if v}


def table(pkg: Path) -> list:
    "Rows (kind, unit, modules, files, lines, where, reaches) for every method module and space family of `pkg`; reaches: what a method imports from the spaces, what a space imports from methods and above"
    rows = []
    for kind, units, other in (('method', method_units(pkg), SPACE_MODULES), ('space', space_units(pkg), ABOVE_SPACES)):
        for name, files in units.items():
            refs = references(pkg, files)
            rows.append((kind, name, ', '.join(_modname(pkg, f) for f in files), len({f for f, _ in refs}), len(refs),
                         sorted({f for f, _ in refs}), reaches(files, other)))
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    pkg = Path(argv[0]) if argv else ROOT/'rome_nb'
    if not (pkg/'__init__.py').is_file(): sys.exit(f"error: {pkg} is not a package folder (no __init__.py)")
    print('| kind | unit | its modules | other modules using it | lines | where | names it imports from the other side |')
    print('|---|---|---|---|---|---|---|')
    for kind, name, mods, nf, nl, where, reach in table(pkg):
        print(f"| {kind} | {name} | {mods} | {nf} | {nl} | {', '.join(where)} | {len(reach)}: {', '.join(reach) or '—'} |")


if __name__ == '__main__':
    main()
