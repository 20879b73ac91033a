"""JSON files a run reads back (config.json, log.jsonl, result.json, memory.json, protocol.json, a genotype file) can hold
anything by then: each reader gives one line naming the file, never a RecursionError, TypeError or AttributeError."""
import json
from pathlib import Path
import pytest
from rome_nb.runs import RunDir, JsonlLogger, atomic_save
from rome_nb.train import resolve_genotype
from rome_nb import protocols as P

DEEP = '[' * 100_000 + ']' * 100_000          # nested beyond Python's recursion limit

def test_resume_config_json(tmp_path):
    RunDir(tmp_path, {'lr': 0.1}); atomic_save({}, tmp_path/'checkpoint.pt')
    for text, why in [(DEEP, 'is nested too deeply to be read'), ('[1, 2]', 'holds an array, not an object')]:
        (tmp_path/'config.json').write_text(text)
        with pytest.raises(ValueError, match=f"cannot resume '{tmp_path}': its config.json {why}"): RunDir(tmp_path, {'lr': 0.1}, resume=True)

def test_log_reader(tmp_path):
    lg = JsonlLogger(tmp_path/'log.jsonl')
    for line, why in [(DEEP, 'is nested too deeply'), ('[1]', 'holds an array, not an object')]:
        lg.path.write_text('{"epoch": 1}\n' + line + '\n{"epoch": 2}\n')
        with pytest.raises(ValueError, match=f"log '{lg.path}' line 2 {why}"): lg.read()
        with pytest.raises(ValueError, match='line 2'): lg.truncate(1)

def test_log_sum_skips_what_is_not_a_record(tmp_path):
    p = tmp_path/'log.jsonl'
    p.write_text('\n'.join(['{"epoch_time": 1.5}', DEEP, '[1]', '{"epoch_time": [2]}', '{"epoch_time": "3"}', '{"epoch_time": 2}', '{"epo']))
    assert P._log_sum(p, 'epoch_time') == 3.5

def _exp(): return P.plan('s0', seeds='0,', scale='tiny')[0]

@pytest.mark.parametrize('text,why', [(DEEP, 'is nested too deeply'), ('[]', 'holds an array, not an object'),
                                      ('{"config": 1}', 'is not a job result'), ('{"config": {"search": 1, "train": {}}}', 'is not a job result')])
def test_result_json(tmp_path, text, why):
    exp = _exp()
    f = exp.folder(tmp_path)/'result.json'; f.parent.mkdir(parents=True); f.write_text(text)
    with pytest.raises(ValueError, match=f"'{f}' {why}"): P.finished_result(exp, tmp_path)
    with pytest.raises(ValueError, match=f"'{f}' {why}"): P.collect_results(tmp_path, 's0')

@pytest.mark.parametrize('text,why', [(DEEP, 'is nested too deeply'), ('[1]', 'holds an array, not an object'),
                                      ('{"rows": 1}', 'does not hold a memory table'), ('{"rows": {"darts": []}}', 'does not hold a memory table')])
def test_memory_json(tmp_path, text, why):
    (tmp_path/'memory.json').write_text(text)
    with pytest.raises(ValueError, match=f"'{tmp_path/'memory.json'}' {why}"): P.run_memory(tmp_path, 'tiny', 'cpu')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['memory.json']

@pytest.mark.parametrize('text,why', [(DEEP, 'is nested too deeply'), ('["s0"]', 'holds an array, not an object'), ('{"protocol": "s0"', 'is not valid JSON')])
def test_protocol_marker(tmp_path, text, why):
    (tmp_path/'protocol.json').write_text(text); (tmp_path/'results.csv').write_text('x')
    with pytest.raises(ValueError, match=f"'{tmp_path/'protocol.json'}' {why}"): P.run_protocol('s0', scale='tiny', out=tmp_path, resume=True, verbose=False)

@pytest.mark.parametrize('text', [DEEP, json.dumps(DEEP[:4000] + DEEP[-4000:])])     # nested, or a string holding nested JSON
def test_genotype_file(tmp_path, text):
    f = tmp_path/'deep.json'; f.write_text(text)
    with pytest.raises(ValueError, match=f"genotype file '{f}' is nested too deeply to be read"): resolve_genotype(f)
