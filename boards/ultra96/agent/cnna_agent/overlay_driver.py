"""Finds the PYNQ driver that `cnna overlay` generates (DIR/pynq/cnna_overlay) for the agent.

The agent uses it when present (--driver DIR, $CNNA_OVERLAY_DRIVER, or a cnna_overlay package on the
Python path, e.g. installed with pip or on PYTHONPATH): hw_pynq loads overlays with
its CnnaOverlay class, so PYNQ binds the engine's DefaultIP driver (CnnaEngine) to the IP's VLNV.
Without pynq (tests) the module still imports and offers EngineControl, the register protocol.

Invariant: a folder that does not hold a driver with VLNV, CONFIG_HASH and EngineControl raises
ValueError naming the folder; nothing is imported from outside it.
"""

import importlib.util
import os

REQUIRED = ("VLNV", "CONFIG_HASH", "REGISTERS", "EngineControl")


def load_driver(path):
    """Imports DIR/cnna_overlay/driver.py (DIR as written by cnna overlay, i.e. its pynq/ folder)."""
    f = os.path.join(os.path.realpath(path), "cnna_overlay", "driver.py")
    if not os.path.isfile(f):
        raise ValueError("%s holds no cnna_overlay/driver.py (pass the pynq/ folder that cnna overlay wrote)" % path)
    spec = importlib.util.spec_from_file_location("cnna_overlay_driver", f)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    missing = [n for n in REQUIRED if not hasattr(mod, n)]
    if missing:
        raise ValueError("%s lacks %s: regenerate it with cnna overlay" % (f, ", ".join(missing)))
    return mod


def find_installed():
    """The driver of a cnna_overlay package on sys.path, or None when there is none."""
    spec = importlib.util.find_spec("cnna_overlay")
    if spec is None or not spec.submodule_search_locations:
        return None
    return load_driver(os.path.dirname(list(spec.submodule_search_locations)[0]))


def describe(mod):
    return "%s (config %s)" % (mod.VLNV, mod.CONFIG_HASH)
