"""Shared test setup: repository paths and an agent over hw_fake in a temporary cache."""

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT_DIR = os.path.dirname(HERE)
REPO = os.path.abspath(os.path.join(AGENT_DIR, "..", "..", ".."))
VECTORS = os.path.join(REPO, "test", "vectors", "protocol")
MINI_HWH = os.path.join(REPO, "host", "hwh", "fixtures", "mini-z7.hwh")
SHARED = os.environ.get("CNNA_SHARED") or os.path.join(REPO, "..", "shared")
REAL_HWH = os.path.join(SHARED, "fixtures", "ultra96_cnna16_172mhz.hwh")
if AGENT_DIR not in sys.path:
    sys.path.insert(0, AGENT_DIR)

from cnna_agent.cache import ContentCache  # noqa: E402
from cnna_agent.deploy import Deployer  # noqa: E402
from cnna_agent.hw_fake import FakeHardware  # noqa: E402
from cnna_agent.session import Agent, Limits, Session  # noqa: E402


def load_vectors(name):
    with open(os.path.join(VECTORS, name), "r", encoding="utf-8") as f:
        return json.load(f)


def make_agent(token="test-token-1234", max_upload=1 << 24, hw=None, cache_dir=None):
    cache_dir = cache_dir or tempfile.mkdtemp(prefix="cnna-agent-test-")
    hw = hw or FakeHardware()
    cache = ContentCache(cache_dir, max_upload)
    deployer = Deployer(hw, cache)
    return Agent(hw, cache, deployer, token), cache_dir


def nonces_from(hex_list):
    it = iter(hex_list)
    return lambda: bytes.fromhex(next(it))


def subset(expected, actual):
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    return expected == actual
