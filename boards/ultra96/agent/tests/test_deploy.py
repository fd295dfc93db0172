"""Upload, deploy, activate and infer through the agent's session on hw_fake: cache atomicity,
resume, half-uploaded objects, the NCHW16c layout, restart persistence, MMIO and buffers."""

import os
import json
import re
import shutil
import struct
import unittest

from helpers import MINI_HWH, make_agent, make_bit, make_bundle, nonces_from, probe_engine, sha

from cnna_agent.hw_fake import FakeHardware
from cnna_agent.protocol import TYPES, decode_frame, encode_frame
from cnna_agent.session import Limits, Session, auth_mac

T = TYPES
TOKEN = "deploy-test-token"
NONCE = "00" * 16
CLIENT_NONCE = "11" * 16

with open(MINI_HWH, "rb") as f:
    HWH = f.read()
BIT = make_bit(bytes(range(256)) * 40)
BUNDLE = make_bundle()


class Client:
    """Drives a Session with request frames, as the host would."""

    def __init__(self, session):
        self.s = session
        self.rid = 100

    def call(self, name, body, blob=b""):
        self.rid += 1
        out = self.s.handle(encode_frame(T[name], self.rid, body, blob))
        assert len(out) == 1
        return decode_frame(out[0], 1 << 26, to_agent=False)

    def ok(self, name, body, blob=b""):
        r = self.call(name, body, blob)
        if r.type == T["ERROR"]:
            raise AssertionError("%s failed: %r" % (name, r.body))
        return r

    def login(self, token=TOKEN):
        self.ok("HELLO", {"client": "t", "protocol": 1})
        mac = auth_mac(token.encode(), bytes.fromhex(NONCE), bytes.fromhex(CLIENT_NONCE))
        return self.call("AUTH", {"clientNonce": CLIENT_NONCE, "mac": mac})

    def upload(self, kind, data, chunk=4096, skip=()):
        h = sha(data)
        self.ok("UPLOAD_BEGIN", {"kind": kind, "size": len(data), "sha256": h})
        for i, off in enumerate(range(0, len(data), chunk)):
            if i not in skip:
                self.ok("UPLOAD_CHUNK", {"uploadId": h, "offset": off}, data[off:off + chunk])
        return h


def new_session(agent):
    return Session(agent, Limits(max_frame=1 << 20, max_upload=1 << 24, chunk_size=4096), lambda: bytes.fromhex(NONCE))


class DeployTest(unittest.TestCase):
    def setUp(self):
        self.hw = FakeHardware(engine_model=probe_engine)
        self.agent, self.dir = make_agent(token=TOKEN, hw=self.hw)
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.c = Client(new_session(self.agent))
        self.assertEqual(self.c.login().type, T["AUTH"])

    def deploy_all(self):
        hb, hh, hu = self.c.upload("bitstream", BIT), self.c.upload("hwh", HWH), self.c.upload("bundle", BUNDLE)
        for h in (hb, hh, hu):
            self.assertEqual(self.c.ok("UPLOAD_END", {"uploadId": h}).body["sha256"], h)
        r = self.c.ok("DEPLOY", {"bitstream": hb, "hwh": hh, "bundle": hu})
        return hb, hh, hu, r.body

    def test_deploy_activate_infer_layout_and_timing(self):
        hb, hh, hu, d = self.deploy_all()
        import hashlib
        self.assertEqual(d["deployId"], hashlib.sha256(("%s:%s:%s" % (hb, hh, hu)).encode()).hexdigest()[:32])
        self.assertEqual(d["inputs"], [{"name": "image", "dtype": "int16", "shape": [1, 3, 4, 5], "f": 14}])
        self.assertEqual(d["outputs"], [{"name": "logits", "dtype": "int16", "shape": [1, 10], "f": 11}])
        self.assertEqual(d["clockHz"], 199998001)  # ap_clk CLKFREQUENCY of cnna_0 in mini-z7.hwh
        a = self.c.ok("ACTIVATE", {"deployId": d["deployId"]}).body
        self.assertEqual(a, {"deployId": d["deployId"], "overlay": hb, "hwh": hh, "bundle": hu})
        self.assertTrue(self.hw.loaded[-1].endswith("overlay.bit"))
        vals = [(-1) ** k * (k * 97 % 1000) for k in range(60)]  # NCHW order, k = c*20 + y*5 + x
        blob = struct.pack("<60h", *vals)
        r = self.c.ok("INFER", {"inputs": [{"name": "image", "dtype": "int16", "shape": [1, 3, 4, 5], "length": 120}]}, blob)
        out = struct.unpack("<10h", r.blob)
        total = sum(vals)
        self.assertEqual(out[0], vals[2 * 20 + 3 * 5 + 4])
        self.assertEqual(out[1], vals[1 * 20 + 0 * 5 + 2])
        self.assertEqual(list(out[2:]), [((m * total + 32768) % 65536) - 32768 for m in range(2, 10)])
        self.assertEqual(r.body["outputs"], [{"name": "logits", "dtype": "int16", "shape": [1, 10], "f": 11, "length": 20}])
        self.assertEqual(r.body["cycles"], 4242)
        self.assertEqual(r.body["timeNs"], round(4242 * 1e9 / 199998001))
        self.assertGreater(r.body["computeNs"], 0)
        info = self.c.ok("INFO", {}).body
        self.assertEqual([info["overlay"], info["hwh"], info["bundle"], info["deployId"]], [hb, hh, hu, d["deployId"]])
        self.assertEqual(info["clockHz"], 199998001)
        self.assertEqual(info["registerRanges"], [{"instance": "cnna_0", "base": 0x43C00000, "high": 0x43C0FFFF},
                                                  {"instance": "axi_gpio_0", "base": 0x40000000, "high": 0x4000FFFF}])
        self.assertEqual(sorted(o["sha256"] for o in info["cache"]["objects"]), sorted([hb, hh, hu]))

    def test_bad_input_and_engine_error(self):
        _, _, _, d = self.deploy_all()
        self.c.ok("ACTIVATE", {"deployId": d["deployId"]})
        spec = {"name": "image", "dtype": "int16", "shape": [1, 3, 4, 5], "length": 120}
        for inputs, blob in (([dict(spec, name="x")], bytes(120)), ([dict(spec, shape=[1, 3, 5, 4])], bytes(120)),
                             ([spec], bytes(118)), ([spec, spec], bytes(240)), ([dict(spec, dtype="float32")], bytes(120))):
            r = self.c.call("INFER", {"inputs": inputs}, blob)
            self.assertEqual(r.body["code"], "BAD_INPUT", inputs)
        self.hw.engine_model = lambda hw, base: (0, 3)
        r = self.c.call("INFER", {"inputs": [spec]}, bytes(120))
        self.assertEqual(r.body["code"], "BACKEND")
        self.assertEqual(r.body["detail"], {"status": 3, "statusName": "CONFIG_MISMATCH"})

    def test_half_uploaded_bundle_is_never_activated(self):
        hb, hh = self.c.upload("bitstream", BIT), self.c.upload("hwh", HWH)
        self.c.ok("UPLOAD_END", {"uploadId": hb})
        self.c.ok("UPLOAD_END", {"uploadId": hh})
        hu = self.c.upload("bundle", BUNDLE, chunk=1000, skip=(3,))
        self.assertEqual(self.c.call("UPLOAD_END", {"uploadId": hu}).body["code"], "INCOMPLETE")
        r = self.c.call("DEPLOY", {"bitstream": hb, "hwh": hh, "bundle": hu})
        self.assertEqual((r.body["code"], r.body["detail"]), ("NOT_CACHED", {"missing": [hu]}))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "objects", hu)))
        self.assertEqual(self.hw.loaded, [])
        # resume from a NEW agent on the same cache (agent restart): only the missing chunk is sent
        hw2 = FakeHardware(engine_model=probe_engine)
        agent2, _ = make_agent(token=TOKEN, hw=hw2, cache_dir=self.dir)
        c2 = Client(new_session(agent2))
        c2.login()
        b = c2.ok("UPLOAD_BEGIN", {"kind": "bundle", "size": len(BUNDLE), "sha256": hu}).body
        self.assertEqual(b["received"], [[0, 3000], [4000, len(BUNDLE)]])
        self.assertFalse(b["complete"])
        c2.ok("UPLOAD_CHUNK", {"uploadId": hu, "offset": 3000}, BUNDLE[3000:4000])
        self.assertEqual(c2.ok("UPLOAD_END", {"uploadId": hu}).body["size"], len(BUNDLE))
        d = c2.ok("DEPLOY", {"bitstream": hb, "hwh": hh, "bundle": hu}).body
        c2.ok("ACTIVATE", {"deployId": d["deployId"]})
        with open(os.path.join(self.dir, "objects", hu), "rb") as f:
            self.assertEqual(f.read(), BUNDLE)

    def test_corrupted_upload_is_discarded(self):
        bad = bytearray(BUNDLE)
        h = sha(BUNDLE)
        bad[5000] ^= 0xFF
        self.c.ok("UPLOAD_BEGIN", {"kind": "bundle", "size": len(bad), "sha256": h})
        for off in range(0, len(bad), 4096):
            self.c.ok("UPLOAD_CHUNK", {"uploadId": h, "offset": off}, bytes(bad[off:off + 4096]))
        self.assertEqual(self.c.call("UPLOAD_END", {"uploadId": h}).body["code"], "HASH_MISMATCH")
        self.assertEqual(self.c.call("UPLOAD_STATUS", {"uploadId": h}).body["code"], "UNKNOWN_UPLOAD")
        self.assertEqual(os.listdir(os.path.join(self.dir, "objects")), [])

    def test_active_deployment_survives_restart_and_failed_activate_keeps_it(self):
        hb, hh, hu, d = self.deploy_all()
        self.c.ok("ACTIVATE", {"deployId": d["deployId"]})
        hw2 = FakeHardware(engine_model=probe_engine)
        agent2, _ = make_agent(token=TOKEN, hw=hw2, cache_dir=self.dir)
        self.assertTrue(agent2.deployer.restore())
        self.assertEqual(agent2.identity()["deployId"], d["deployId"])
        self.assertEqual(len(hw2.loaded), 1)
        # a second bundle whose activation fails (bitstream download error) leaves the first active
        other = make_bundle(weights=b"\x01" * 64)
        c2 = Client(new_session(agent2))
        c2.login()
        ho = c2.upload("bundle", other)
        c2.ok("UPLOAD_END", {"uploadId": ho})
        d2 = c2.ok("DEPLOY", {"bitstream": hb, "hwh": hh, "bundle": ho}).body
        hw2.fail_loads = 1
        r = c2.call("ACTIVATE", {"deployId": d2["deployId"]})
        self.assertEqual(r.body["code"], "BACKEND")
        self.assertIn("previous deployment kept", r.body["message"])
        self.assertEqual(c2.ok("INFO", {}).body["deployId"], d["deployId"])
        self.assertEqual(c2.call("ACTIVATE", {"deployId": "f" * 32}).body["code"], "UNKNOWN_DEPLOY")

    def put(self, kind, data):
        if self.agent.cache.has(sha(data)):
            return sha(data)
        h = self.c.upload(kind, data)
        self.c.ok("UPLOAD_END", {"uploadId": h})
        return h

    def test_bad_artifacts(self):
        bad_hwh = b"<EDKSYSTEM><MODULES></EDKSYSTEM>"
        junk = b"CNNAB1\x00\x00" + b"\xff" * 40
        no_engine = b"<EDKSYSTEM><MODULES><MODULE INSTANCE='x' MODTYPE='axi_dma'/></MODULES></EDKSYSTEM>"
        with open(MINI_HWH, "rb") as f:
            mini = f.read()
        cases = [((BIT, bad_hwh, BUNDLE), "hwh", "not well-formed"), ((BIT, no_engine, BUNDLE), "hwh", "no cnna engine"),
                 ((BIT, no_engine, junk), "hwh", "no cnna engine"), ((BIT, mini, junk), "bundle", "bundle")]
        for (b, w, u), artifact, words in cases:
            hs = [self.put(k, v) for k, v in (("bitstream", b), ("hwh", w), ("bundle", u))]
            r = self.c.call("DEPLOY", {"bitstream": hs[0], "hwh": hs[1], "bundle": hs[2]})
            self.assertEqual(r.body["code"], "BAD_ARTIFACT")
            self.assertIn(words, r.body["message"])
            self.assertEqual(r.body["detail"], {"artifact": artifact, "removed": True})
            refused = hs[("bitstream", "hwh", "bundle").index(artifact)]
            self.assertFalse(self.agent.cache.has(refused))

    def test_deploy_refuses_a_non_bit_file_another_config_and_another_clock(self):
        from cnna_agent.bundle import read_archive, write_archive
        with open(MINI_HWH, "rb") as f:
            mini = f.read()

        def bundle_with(**hw):
            files = read_archive(BUNDLE)
            m = json.loads(files["manifest.json"])
            m["hwConfig"].update(hw)
            files["manifest.json"] = json.dumps(m).encode("utf-8")
            return write_archive(files)

        def deploy(bit, hwh, bundle):
            hs = [self.put(k, v) for k, v in (("bitstream", bit), ("hwh", hwh), ("bundle", bundle))]
            return hs, self.c.call("DEPLOY", {"bitstream": hs[0], "hwh": hs[1], "bundle": hs[2]})

        text = b"hi\n"
        hs, r = deploy(text, mini, BUNDLE)
        self.assertEqual(r.body["message"], "the bitstream is not a Xilinx .bit file: it does not start with the Xilinx bitstream header "
                         "(00 09 0f f0 0f f0 0f f0 0f f0 00 00 01); its first bytes are 68 69 0a; the bitstream %s was removed from the cache" % hs[0][:12])
        self.assertFalse(self.agent.cache.has(hs[0]))
        # the .hwh names the config its engine was built for: another one is refused
        stated = mini.replace(b'MODTYPE="cnna"', b'MODTYPE="cnna"', 1)
        stated = re.sub(rb'(<MODULE [^>]*INSTANCE="cnna_0"[^>]*>\s*)', rb'\1<PARAMETERS><PARAMETER NAME="CONFIG_HASH" VALUE="fedcba9876543210"/></PARAMETERS>', mini, count=1)
        self.assertNotEqual(stated, mini)
        hs, r = deploy(BIT, stated, BUNDLE)
        self.assertEqual(r.body["message"], "bundle 'agent-test' was compiled for config 0123456789abcdef, the overlay's engine cnna_0 is built for "
                         "config fedcba9876543210; recompile the model with the overlay's config (cnna compile --config FILE); "
                         "the bundle %s was removed from the cache" % hs[2][:12])
        self.assertFalse(self.agent.cache.has(hs[2]))
        # a bundle for 150 MHz on a 200 MHz overlay is refused; 199 MHz (within 1%) deploys and reports the .hwh clock
        hs, r = deploy(BIT, mini, bundle_with(clockMhz=150))
        self.assertEqual(r.body["message"], "bundle 'agent-test' was compiled for a 150 MHz engine clock, the overlay clocks the engine cnna_0 at "
                         "199.998 MHz (.hwh); recompile with clockMhz 200 in the config, or use an overlay built for 150 MHz; "
                         "the bundle %s was removed from the cache" % hs[2][:12])
        hs, r = deploy(BIT, mini, bundle_with(clockMhz=199))
        self.assertEqual((r.type, r.body["clockHz"]), (T["DEPLOY"], 199998001))
        self.assertTrue(all(self.agent.cache.has(h) for h in hs))

    def test_mmio_and_buffers(self):
        _, _, _, d = self.deploy_all()
        self.c.ok("ACTIVATE", {"deployId": d["deployId"]})
        w = self.c.ok("MMIO_WRITE", {"address": 0x40000010, "values": [7, 0xFFFFFFFF]}).body
        self.assertEqual(w, {"address": 0x40000010, "count": 2})
        self.assertEqual(self.c.ok("MMIO_READ", {"address": 0x40000010, "count": 2}).body["values"], [7, 0xFFFFFFFF])
        self.assertEqual(self.hw.regs[0x40000014], 0xFFFFFFFF)
        self.assertEqual(self.c.ok("MMIO_READ", {"address": 0x43C00000, "count": 1}).body["values"], [4])  # CTRL idle
        for addr, count in ((0x43C0FFFC, 2), (0x43C00002, 1), (0x41000000, 1), (0x0, 1), (0x4000FFFC + 4, 1)):
            self.assertEqual(self.c.call("MMIO_READ", {"address": addr, "count": count}).body["code"], "MMIO_DENIED", hex(addr))
        self.assertEqual(self.c.call("MMIO_WRITE", {"address": 0x3FFFFFFC, "values": [1, 2]}).body["code"], "MMIO_DENIED")
        self.assertEqual(self.c.call("MMIO_READ", {"address": 0x40000000, "count": 1025}).body["code"], "BAD_REQUEST")
        names = {b["name"]: b["size"] for b in self.c.ok("INFO", {}).body["buffers"]}
        self.assertEqual(names, {"bundle": 16384, "input": 640, "output": 32})
        self.c.ok("BUFFER_WRITE", {"name": "input", "offset": 630}, b"0123456789")
        r = self.c.ok("BUFFER_READ", {"name": "bundle", "offset": 8192 + 630, "length": 10})
        self.assertEqual(r.blob, b"0123456789")
        self.assertEqual(self.c.ok("BUFFER_READ", {"name": "bundle", "offset": 0, "length": 8}).blob[:1], b"\x0f")
        self.assertEqual(self.c.call("BUFFER_WRITE", {"name": "input", "offset": 631}, b"0123456789").body["code"], "BAD_RANGE")
        self.assertEqual(self.c.call("BUFFER_READ", {"name": "../x", "offset": 0, "length": 1}).body["code"], "UNKNOWN_BUFFER")


if __name__ == "__main__":
    unittest.main()


class ConfigIdTest(unittest.TestCase):
    def run_with(self, config_id):
        hw = FakeHardware(engine_model=probe_engine, config_id=config_id)
        agent, d = make_agent(token=TOKEN, hw=hw)
        self.addCleanup(shutil.rmtree, d, True)
        c = Client(new_session(agent))
        c.login()
        hs = [c.upload(k, v) for k, v in (("bitstream", BIT), ("hwh", HWH), ("bundle", BUNDLE))]
        for h in hs:
            c.ok("UPLOAD_END", {"uploadId": h})
        did = c.ok("DEPLOY", {"bitstream": hs[0], "hwh": hs[1], "bundle": hs[2]}).body["deployId"]
        return c.call("ACTIVATE", {"deployId": did}), agent

    def test_engine_built_for_another_config_is_refused_at_activate(self):
        r, agent = self.run_with(0xFEDCBA9876543210)
        self.assertEqual(r.body["code"], "BAD_ARTIFACT")
        self.assertEqual(r.body["message"], "the bundle was compiled for config 0123456789abcdef, the engine in this bitstream "
                                            "is built for config fedcba9876543210: recompile the model for this overlay's config "
                                            "(previous deployment kept)")
        self.assertIsNone(agent.deployer.active)

    def test_matching_config_id_activates(self):
        r, agent = self.run_with(0x0123456789ABCDEF)  # helpers.make_bundle's configHash
        self.assertEqual(r.type, T["ACTIVATE"])
        self.assertIsNotNone(agent.deployer.active)


class PartitionedBundleTest(unittest.TestCase):
    def test_a_partitioned_bundle_loads_and_an_unknown_host_op_is_refused(self):
        from cnna_agent.bundle import load_bundle
        eng = {"kind": "engine", "header": 0, "count": 1, "layers": [0, 0], "inputs": [], "outputs": []}
        t = {"name": "a", "shape": [1, 10], "f": 11}
        ok = load_bundle(make_bundle(extra={"segments": [eng, {"kind": "host", "ops": [{"op": "reshape", "node": "r", "input": t, "output": dict(t, name="b")}]}]}))
        self.assertEqual([s.kind for s in ok.segments], ["engine", "host"])
        self.assertEqual(ok.segments[0].offset, 0)
        bad = {"segments": [eng, {"kind": "host", "ops": [{"op": "frobnicate", "node": "x", "input": t, "output": t}]}]}
        with self.assertRaisesRegex(ValueError, r"host op 'x' has kind 'frobnicate'; this agent runs lut, softmax, reshape, mul, div, exit"):
            load_bundle(make_bundle(extra=bad))
        lut = {"op": "lut", "fn": "sigmoid", "node": "s", "input": t, "output": t, "table": {"offset": 0, "entries": 65536}}
        with self.assertRaisesRegex(ValueError, r"host op 's': its table \(65536 entries at params offset 0\) is not in weights.bin"):
            load_bundle(make_bundle(extra={"segments": [eng, {"kind": "host", "ops": [lut]}]}))
        self.assertIsNone(load_bundle(make_bundle()).segments)

    def test_an_exit_op_marks_its_graph_output(self):
        from cnna_agent.bundle import load_bundle
        eng = {"kind": "engine", "header": 0, "count": 1, "layers": [0, 0], "inputs": [], "outputs": []}
        t = {"name": "logits", "shape": [1, 10], "f": 11}
        b = load_bundle(make_bundle(extra={"segments": [eng, {"kind": "host", "ops": [{"op": "exit", "node": "exit logits", "input": t, "output": t}]}]}))
        self.assertEqual(b.outputs[0].describe(), {"name": "logits", "dtype": "int16", "shape": [1, 10], "f": 11, "exit": True})
        self.assertEqual(load_bundle(make_bundle()).outputs[0].describe(), {"name": "logits", "dtype": "int16", "shape": [1, 10], "f": 11})


class BatchBundleTest(unittest.TestCase):
    """A batch bundle's manifest: batch N, every tensor's imageStride holding N images inside the DDR image."""

    @staticmethod
    def _batch(n, in_stride, out_stride):
        from helpers import IN_OFF, OUT_OFF
        m = {"batch": n, "inputs": [{"name": "image", "shape": [1, 3, 4, 5], "f": 14, "order": "nchw",
                                     "layout": {"offset": IN_OFF, "c": 3, "h": 4, "w": 5, "cg": 1, "rowStride": 160, "cgStride": 640, "imageStride": in_stride}}],
             "outputs": [{"name": "logits", "shape": [1, 10], "f": 11, "order": "vector",
                          "layout": {"offset": OUT_OFF, "c": 10, "h": 1, "w": 1, "cg": 1, "rowStride": 32, "cgStride": 32, "imageStride": out_stride}}]}
        return make_bundle(extra=m)

    def test_batch_and_image_strides_load_and_bad_ones_are_refused(self):
        from cnna_agent.bundle import load_bundle
        b = load_bundle(self._batch(4, 640, 64))
        self.assertEqual((b.batch, b.inputs[0].image_stride, b.outputs[0].image_stride), (4, 640, 64))
        self.assertEqual(load_bundle(make_bundle()).batch, 1)
        with self.assertRaisesRegex(ValueError, r"^tensor image: imageStride 640 does not hold 16 images of 640 bytes inside the 16384-byte DDR image$"):
            load_bundle(self._batch(16, 640, 64))
        with self.assertRaisesRegex(ValueError, r"^tensor logits: imageStride 16 does not hold 2 images of 32 bytes"):
            load_bundle(self._batch(2, 640, 16))
        with self.assertRaisesRegex(ValueError, r"^manifest batch 65 is not an integer in 1..64$"):
            load_bundle(self._batch(65, 640, 64))


class HostOpsTest(unittest.TestCase):
    """The exact rules of docs/numerics.md "Host ops" (values worked out by hand there)."""
    def test_mul_div_lut(self):
        from array import array
        from cnna_agent.host_ops import run_op

        def t(name, n, f):
            return {"name": name, "shape": [1, n], "f": f}
        v = {"a": array("h", [8192, -8192, 0, 100]).tobytes(), "b": array("h", [24576, 24576, 5, 0]).tobytes()}
        run_op({"op": "mul", "node": "m", "input": t("a", 4, 14), "input2": t("b", 4, 15), "output": t("p", 4, 14)}, v, {})
        self.assertEqual(list(array("h", v["p"])), [6144, -6144, 0, 0])
        run_op({"op": "div", "node": "d", "input": t("a", 4, 14), "input2": t("b", 4, 15), "output": t("q", 4, 14)}, v, {})
        # 0.5 / 0.75 = 0.6667 -> floor(10922.67 + 0.5) = 10923; 0 / x = 0; x / 0 saturates
        self.assertEqual(list(array("h", v["q"])), [10923, -10923, 0, 32767])
        table = array("h", range(-32768, 32768))
        table[32768 + 100] = 7
        run_op({"op": "lut", "node": "l", "input": t("a", 4, 14), "output": t("l", 4, 14), "table": {"offset": 64, "entries": 65536}}, v, {64: table})
        self.assertEqual(list(array("h", v["l"])), [8192, -8192, 0, 7])

    def test_exit_confidence_and_threshold(self):
        from array import array
        from cnna_agent.host_ops import exit_confidence, exit_reached
        # softmax maximum, float64 rounded to float32: two equal logits 0.5; logits (1, 0) 1 / (1 + e^-1)
        self.assertEqual(exit_confidence(array("h", [0, 0]).tobytes(), 14), 0.5)
        self.assertEqual(exit_confidence(array("h", [1024, 0]).tobytes(), 10), 0.7310585975646973)
        v = {"e": array("h", [1024, 0]).tobytes(), "g": array("h", [0, 0]).tobytes()}

        def ex(name, f):
            t = {"name": name, "shape": [1, 2], "f": f}
            return {"op": "exit", "node": "exit " + name, "input": t, "output": t}
        ops = [ex("g", 14), ex("e", 10)]
        self.assertIsNone(exit_reached(ops, v, None))  # no threshold: an exit never stops the run
        self.assertEqual(exit_reached(ops, v, 0.731058), "e")
        self.assertIsNone(exit_reached(ops, v, 0.731059))
        self.assertEqual(exit_reached(ops, v, 0.5), "g")  # the first exit confident enough
        self.assertEqual(exit_reached(ops, v, 0), "g")
