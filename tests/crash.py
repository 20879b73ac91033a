"""Run a console script with a crash scripted at one write of one run file (the first write of that file):

    python tests/crash.py MODE FILE SCRIPT [ARGS...]

MODE is where the process dies, FILE the run file's name (checkpoint.pt, log.jsonl, collapse.png, ...):
  half           SIGKILL in the middle of writing FILE: half its bytes are written
  before-rename  SIGKILL when FILE's temporary file is whole, before it is renamed into place
  after          SIGKILL right after FILE is in place, before the next write
  enospc         the disk is full in the middle of writing FILE (OSError ENOSPC); the command goes on as it would
"""
import errno, os, signal, sys
from pathlib import Path

def _target(path, name): return Path(path).name == name or Path(path).name.startswith(f'.{name}.')

def arm(mode, name):
    import rome_nb.runs as runs
    done = []
    def first(path):
        if done or not _target(path, name): return False
        done.append(path); return True
    die = lambda: os.kill(os.getpid(), signal.SIGKILL)
    if mode in ('half', 'enospc'):
        write = runs._write_fd
        def crashing_write(fd, data, path):
            if not first(path): return write(fd, data, path)
            view = memoryview(data).cast('B')
            os.write(fd, bytes(view[:len(view) // 2]))
            if mode == 'half': die()
            raise OSError(errno.ENOSPC, 'No space left on device')
        runs._write_fd = crashing_write
    elif mode in ('before-rename', 'after'):
        replace = os.replace
        def crashing_replace(src, dst):
            hit = first(dst)
            if hit and mode == 'before-rename': die()
            replace(src, dst)
            if hit: die()
        os.replace = crashing_replace
    else: raise SystemExit(f'crash.py: unknown mode {mode!r}')

if __name__ == '__main__':
    mode, name, script, *args = sys.argv[1:]
    arm(mode, name)
    sys.argv = [script, *args]
    from rome_nb import cli
    command = getattr(cli, script)
    sys.exit(command())
