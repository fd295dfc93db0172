"""Runs the generated run_inference.infer() on the board agent's substituted hardware layer: hw_fake
with the TypeScript engine model as its engine (an external program, as in test/agent), the engine
driven by the generated EngineControl. Prints the outputs, exponents and cycles as one JSON line;
overlay/run-inference.test.ts compares them with the golden model.

Usage: python3 check-run-inference.py PYNQ_DIR AGENT_DIR OVERLAY.bit BUNDLE.cnnab INPUTS.bin N "ENGINE CMD" SCRATCH
"""

import importlib.util
import json
import os
import shlex
import shutil
import sys
from array import array

pynq_dir, agent_dir, bit, bundle_path, inputs_path, n, engine_cmd, scratch = sys.argv[1:9]
sys.path.insert(0, agent_dir)
from cnna_agent.bundle import load_bundle  # noqa: E402
from cnna_agent.hw_fake import FakeHardware, external_engine  # noqa: E402
from cnna_agent.overlay_driver import load_driver  # noqa: E402

drv = load_driver(pynq_dir)
spec = importlib.util.spec_from_file_location("run_inference", os.path.join(pynq_dir, "run_inference.py"))
ri = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ri)

with open(bundle_path, "rb") as f:
    bundle = load_bundle(f.read())
os.makedirs(scratch, exist_ok=True)
shutil.copy(bit, os.path.join(scratch, "overlay.bit"))
shutil.copy(os.path.splitext(bit)[0] + ".hwh", os.path.join(scratch, "overlay.hwh"))
hw = FakeHardware(engine_model=external_engine(shlex.split(engine_cmd), os.path.join(scratch, "engine")),
                  config_id=int(bundle.config_hash, 16))
hw.load_overlay(os.path.join(scratch, "overlay.bit"))
engine = drv.EngineControl(hw.mmio(hw.engine_base, drv.REGISTER_SPAN))
with open(inputs_path, "rb") as f:
    raw = f.read()
size = len(raw) // int(n)
out = {"outputs": [], "f": [], "cycles": [], "buffersLeft": None}
for i in range(int(n)):
    y, fexp, c = ri.infer(bundle, raw[i * size:(i + 1) * size], hw.allocate, engine)
    out["outputs"].append(list(array("h", y)))
    out["f"].append(fexp)
    out["cycles"].append(c["cycles"])
out["buffersLeft"] = len(hw.buffers)
try:
    ri.infer(bundle, raw[:size - 2], hw.allocate, engine)
except ValueError as e:
    out["shortInput"] = str(e)
print(json.dumps(out))
