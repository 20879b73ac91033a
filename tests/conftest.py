import os, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault('ROME_NO_PROGRESS', '1')
try:
    import torch
    torch.set_num_threads(1)
except ImportError: pass
