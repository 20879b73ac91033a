__version__ = "0.1.0"

def _stop_while_loading():
    "A console script stopped while its modules load (torch takes seconds): one line, not a traceback; the command's own handler (`runs.cli_setup`) takes over once it runs"
    import os, signal, sys
    if os.path.basename(sys.argv[0] if sys.argv else '').removesuffix('.exe') not in ('rome_search', 'rome_train', 'rome_protocol', 'rome_memory'):
        return
    def stop(signum, frame):
        print(f"\n{'stopped by SIGTERM' if signum == signal.SIGTERM else 'interrupted'} while starting; nothing was done",
              file=sys.stderr, flush=True)
        raise SystemExit(143 if signum == signal.SIGTERM else 130)
    try:
        signal.signal(signal.SIGINT, stop); signal.signal(signal.SIGTERM, stop)
    except ValueError: pass       # not the main thread
_stop_while_loading()
