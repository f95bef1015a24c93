"""onnxruntime's threads are capped in the OCR server (OCR_THREADS, default 2, at most the CPU count), so
reading one photo cannot take every core from gunicorn."""

import json
import os
import subprocess
import sys
from pathlib import Path

from ocr.engine import THREADS, engine_params
from ocr.server import arguments

ROOT = Path(__file__).resolve().parents[2]
INTRA = "EngineConfig.onnxruntime.intra_op_num_threads"

# Builds the engine in a process of its own (the test process must never load the models: a test checks
# the web process does not), reads one small photo so every model is loaded, and prints each model's
# onnxruntime session threads.
PROBE = """
import json, sys
from ocr.engine import Engine
from tests.ocr_server import text_photo
engine = Engine(threads=int(sys.argv[1]))
engine.read(text_photo(["A0"], size=(640, 480)))
sessions = {name: getattr(engine._ocr, name).session.session for name in ("text_det", "text_cls", "text_rec")}
print(json.dumps({name: s.get_session_options().intra_op_num_threads for name, s in sessions.items()}))
"""


def test_the_default_is_two_threads(monkeypatch):
    monkeypatch.delenv("OCR_THREADS", raising=False)
    assert THREADS == 2
    assert arguments(["--socket", "x.sock"]).threads == 2


def test_ocr_threads_sets_the_servers_threads(monkeypatch):
    monkeypatch.setenv("OCR_THREADS", "1")
    assert arguments(["--socket", "x.sock"]).threads == 1


def test_more_threads_than_cores_are_held_to_the_cores():
    # RapidOCR silently takes every core for a count above the CPU count: the engine clamps it first.
    assert engine_params(threads=10_000)[INTRA] == os.cpu_count()
    assert engine_params(threads=0)[INTRA] == 1


def test_every_model_of_the_engine_runs_on_the_threads_given():
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, "1"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    threads = json.loads(probe.stdout.strip().splitlines()[-1])
    assert threads == {"text_det": 1, "text_cls": 1, "text_rec": 1}
