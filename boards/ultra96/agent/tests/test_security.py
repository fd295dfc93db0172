"""Security rules of the agent: pairing token, size limits, confinement to the cache directory,
MMIO only inside the .hwh register ranges, listening only on loopback / usb0 by default."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from helpers import AGENT_DIR, MINI_HWH, REAL_HWH, make_agent

from cnna_agent.cache import ContentCache
from cnna_agent.hwh_ranges import parse_hwh
from cnna_agent.protocol import TYPES, ProtocolError, decode_frame, encode_frame
from cnna_agent.server import check_bind_host
from cnna_agent.session import Agent, Limits, Session, auth_mac

T = TYPES
H = "ab" * 32


def resp(s, name, rid, body, blob=b""):
    out = s.handle(encode_frame(T[name], rid, body, blob))
    return decode_frame(out[-1], 1 << 24, to_agent=False)


class TokenTest(unittest.TestCase):
    def setUp(self):
        self.agent, self.dir = make_agent(token="right-token")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def session(self):
        return Session(self.agent, Limits(max_frame=1 << 16, max_upload=1 << 20, chunk_size=4096), lambda: b"\x05" * 16)

    def test_everything_but_hello_auth_ping_needs_the_token(self):
        s = self.session()
        rid = 1
        for name in T:
            if name in ("HELLO", "AUTH", "PING", "ERROR"):
                continue
            rid += 1
            self.assertEqual(resp(s, name, rid, {}).body["code"], "AUTH_REQUIRED", name)
        self.assertEqual(resp(s, "PING", rid + 1, {}).type, T["PING"])

    def test_wrong_token_and_three_failures_end_the_session(self):
        s = self.session()
        resp(s, "HELLO", 1, {"client": "c", "protocol": 1})
        bad = auth_mac(b"wrong-token", b"\x05" * 16, b"\x06" * 16)
        for i in (2, 3):
            r = resp(s, "AUTH", i, {"clientNonce": "06" * 16, "mac": bad})
            self.assertEqual(r.body["code"], "AUTH_FAILED")
            self.assertFalse(s.closed)
        r = resp(s, "AUTH", 4, {"clientNonce": "06" * 16, "mac": bad})
        self.assertEqual((r.body["code"], s.closed), ("AUTH_FAILED", True))
        # the right MAC for the old nonce no longer works: the session was reset
        good = auth_mac(b"right-token", b"\x05" * 16, b"\x06" * 16)
        self.assertEqual(resp(s, "AUTH", 5, {"clientNonce": "06" * 16, "mac": good}).body["code"], "AUTH_FAILED")

    def test_wrong_macs_count_per_peer_across_hellos_and_sessions_with_a_doubling_lockout(self):
        bad = auth_mac(b"wrong-token", b"\x05" * 16, b"\x06" * 16)
        good = auth_mac(b"right-token", b"\x05" * 16, b"\x06" * 16)
        rid = [0]

        def attempt(s, mac):
            rid[0] += 2
            resp(s, "HELLO", rid[0], {"client": "c", "protocol": 1})  # a new HELLO used to reset the count
            return resp(s, "AUTH", rid[0] + 1, {"clientNonce": "06" * 16, "mac": mac})

        a = Session(self.agent, Limits(), lambda: b"\x05" * 16, peer="10.0.0.9")
        self.assertEqual(attempt(a, bad).body["message"], "wrong MAC: the pairing token does not match")
        b = Session(self.agent, Limits(), lambda: b"\x05" * 16, peer="10.0.0.9")  # another connection, same peer
        self.assertEqual(attempt(b, bad).body["code"], "AUTH_FAILED")
        r = attempt(b, bad)
        self.assertEqual((r.body["code"], r.body["detail"], b.closed), ("AUTH_FAILED", {"lockedForMs": 1000}, True))
        self.assertEqual(r.body["message"], "wrong MAC: the pairing token does not match; after 3 wrong MACs pairing from 10.0.0.9 is locked for 1000 ms")
        # while locked even the right MAC is refused, unchecked; another peer is not affected
        c = Session(self.agent, Limits(), lambda: b"\x05" * 16, peer="10.0.0.9")
        r = attempt(c, good)
        self.assertEqual(r.body["code"], "AUTH_FAILED")
        self.assertRegex(r.body["message"], r"^too many wrong pairing MACs from 10\.0\.0\.9; pairing from it is locked for another \d+ ms$")
        other = Session(self.agent, Limits(), lambda: b"\x05" * 16, peer="10.0.0.7")
        self.assertEqual(attempt(other, good).type, T["AUTH"])
        # after the lock-out: three more wrong MACs lock it for twice as long; a right MAC clears the record
        g = self.agent.guards
        g.peers["10.0.0.9"][2] = 0.0
        d = Session(self.agent, Limits(), lambda: b"\x05" * 16, peer="10.0.0.9")
        for _ in range(2):
            self.assertNotIn("detail", attempt(d, bad).body)
        self.assertEqual(attempt(d, bad).body["detail"], {"lockedForMs": 2000})
        g.peers["10.0.0.9"][2] = 0.0
        e = Session(self.agent, Limits(), lambda: b"\x05" * 16, peer="10.0.0.9")
        self.assertEqual(attempt(e, good).type, T["AUTH"])
        self.assertNotIn("10.0.0.9", g.peers)

    def test_auth_cannot_be_replayed_within_a_session(self):
        s = self.session()
        resp(s, "HELLO", 1, {"client": "c", "protocol": 1})
        good = auth_mac(b"right-token", b"\x05" * 16, b"\x06" * 16)
        r = resp(s, "AUTH", 2, {"clientNonce": "06" * 16, "mac": good})
        self.assertEqual(r.body["mac"], __import__("cnna_agent.session").session.agent_mac(b"right-token", b"\x05" * 16, b"\x06" * 16))
        self.assertEqual(resp(s, "AUTH", 3, {"clientNonce": "06" * 16, "mac": good}).body["code"], "AUTH_FAILED")
        self.assertEqual(resp(s, "AUTH", 3, {"clientNonce": "06" * 16, "mac": good}).body["code"], "REPLAYED")

    def test_agent_refuses_to_start_without_a_token(self):
        with self.assertRaises(ValueError):
            Agent(self.agent.hw, self.agent.cache, self.agent.deployer, "")
        r = subprocess.run([sys.executable, "-m", "cnna_agent", "--cache", self.dir, "--tcp", "0", "--hw", "fake"],
                           cwd=AGENT_DIR, capture_output=True, text=True, timeout=300, env={"PATH": os.environ["PATH"]})
        self.assertEqual(r.returncode, 2)
        self.assertIn("a pairing token of at least 8 characters is required", r.stderr)


class LimitsTest(unittest.TestCase):
    def setUp(self):
        self.agent, self.dir = make_agent(token="t0k3n-limits")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.s = Session(self.agent, Limits(max_frame=8192, max_upload=100000, chunk_size=4096), lambda: b"\x01" * 16)
        resp(self.s, "HELLO", 1, {"client": "c", "protocol": 1})
        resp(self.s, "AUTH", 2, {"clientNonce": "02" * 16, "mac": auth_mac(b"t0k3n-limits", b"\x01" * 16, b"\x02" * 16)})
        self.assertTrue(self.s.authed)

    def test_frame_upload_chunk_ping_and_buffer_limits(self):
        big = encode_frame(T["PING"], 3, {}, b"x" * 8200)
        self.assertEqual(decode_frame(self.s.handle(big)[0], 1 << 20, False).body["code"], "FRAME_TOO_LARGE")
        self.assertEqual(resp(self.s, "PING", 4, {}, b"y" * 1025).body["code"], "BAD_REQUEST")
        self.assertEqual(resp(self.s, "UPLOAD_BEGIN", 5, {"kind": "bundle", "size": 100001, "sha256": H}).body["code"], "UPLOAD_TOO_LARGE")
        self.assertEqual(resp(self.s, "UPLOAD_BEGIN", 6, {"kind": "bundle", "size": 100000, "sha256": H}).type, T["UPLOAD_BEGIN"])
        r = resp(self.s, "UPLOAD_CHUNK", 7, {"uploadId": H, "offset": 0}, b"z" * 4097)
        self.assertEqual(r.body["code"], "BAD_RANGE")
        self.assertEqual(resp(self.s, "UPLOAD_CHUNK", 8, {"uploadId": H, "offset": 99999}, b"zz").body["code"], "BAD_RANGE")
        self.assertEqual(resp(self.s, "UPLOAD_CHUNK", 9, {"uploadId": H, "offset": 2 ** 53 - 1}, b"z").body["code"], "BAD_RANGE")
        self.assertEqual(resp(self.s, "BUFFER_READ", 10, {"name": "bundle", "offset": 0, "length": 8192 - 1023}).body["code"], "BAD_REQUEST")
        self.assertEqual(resp(self.s, "MMIO_READ", 11, {"address": 0, "count": 0}).body["code"], "BAD_REQUEST")
        self.assertEqual(resp(self.s, "MMIO_READ", 12, {"address": 0.5, "count": 1}).body["code"], "BAD_FRAME")
        self.assertEqual(resp(self.s, "MMIO_READ", 13, {"address": True, "count": 1}).body["code"], "BAD_REQUEST")


class ConfinementTest(unittest.TestCase):
    def test_no_request_writes_outside_the_cache(self):
        outer = tempfile.mkdtemp(prefix="cnna-confine-")
        self.addCleanup(shutil.rmtree, outer, True)
        cache_dir = os.path.join(outer, "cache")
        agent, _ = make_agent(token="confine-token", cache_dir=cache_dir)
        s = Session(agent, Limits(max_frame=1 << 16, max_upload=1 << 20, chunk_size=4096), lambda: b"\x01" * 16)
        resp(s, "HELLO", 1, {"client": "c", "protocol": 1})
        resp(s, "AUTH", 2, {"clientNonce": "02" * 16, "mac": auth_mac(b"confine-token", b"\x01" * 16, b"\x02" * 16)})
        rid = 3
        evil = ["../" * 8 + "tmp/evil", "../evil", "/etc/passwd", "..", "a" * 64 + "/../../x", "A" * 64, H + "\x00", H[:-1] + "/",
                "objects/" + H[:56], "%2e%2e%2f" * 7 + "x"]
        for v in evil:
            for name, body in (("UPLOAD_BEGIN", {"kind": "bundle", "size": 10, "sha256": v}),
                               ("UPLOAD_CHUNK", {"uploadId": v, "offset": 0}), ("UPLOAD_END", {"uploadId": v}),
                               ("UPLOAD_STATUS", {"uploadId": v}), ("DEPLOY", {"bitstream": v, "hwh": H, "bundle": H}),
                               ("UPLOAD_BEGIN", {"kind": v, "size": 10, "sha256": H})):
                rid += 1
                self.assertEqual(resp(s, name, rid, body, b"x").body["code"], "BAD_REQUEST", (name, v))
        self.assertEqual(sorted(os.listdir(outer)), ["cache"])
        self.assertEqual(sorted(os.listdir(cache_dir)), ["objects", "overlays", "partial"])
        self.assertEqual(os.listdir(os.path.join(cache_dir, "partial")), [])

    def test_a_symlink_out_of_the_cache_is_refused(self):
        outer = tempfile.mkdtemp(prefix="cnna-confine-")
        self.addCleanup(shutil.rmtree, outer, True)
        c = ContentCache(os.path.join(outer, "cache"), 1 << 20)
        os.makedirs(os.path.join(outer, "elsewhere"))
        os.symlink(os.path.join(outer, "elsewhere", "x"), os.path.join(outer, "cache", "partial", H + ".part"))
        with self.assertRaises(ProtocolError) as e:
            c.begin("bundle", 10, H, 7)
        self.assertEqual(e.exception.code, "BAD_REQUEST")
        self.assertEqual(os.listdir(os.path.join(outer, "elsewhere")), [])


class MmioRangeTest(unittest.TestCase):
    def test_mini_fixture_ranges(self):
        with open(MINI_HWH, "rb") as f:
            info = parse_hwh(f.read())
        self.assertEqual(sorted(info.ranges), [(0x40000000, 0x4000FFFF, "axi_gpio_0", "S_AXI"),
                                               (0x43C00000, 0x43C0FFFF, "cnna_0", "s_axi_control")])
        self.assertTrue(info.mmio_allowed(0x43C0FFFC, 4))
        self.assertFalse(info.mmio_allowed(0x43C0FFFD, 4))
        self.assertFalse(info.mmio_allowed(0x4000FFFC, 8))
        self.assertFalse(info.mmio_allowed(0x43C00000, 0))
        self.assertEqual(info.find_engine(), "cnna_0")
        self.assertEqual(info.clock_hz_of("cnna_0"), 199998001)

    @unittest.skipUnless(os.path.isfile(REAL_HWH), "the real Vivado .hwh is absent (%s); set CNNA_SHARED" % REAL_HWH)
    def test_real_vivado_hwh_ranges(self):
        with open(REAL_HWH, "rb") as f:
            info = parse_hwh(f.read())
        # grep MEMRANGE ... MEMTYPE="REGISTER": seven ranges, cnn_0 at 0x80010000-0x8001FFFF
        self.assertEqual(len(info.ranges), 7)
        self.assertIn((0x80010000, 0x8001FFFF, "cnn_0", "S_AXI_SLV0"), info.ranges)
        self.assertIn((0x80004000, 0x80004FFF, "axi_intc_0", "s_axi"), info.ranges)
        self.assertTrue(info.mmio_allowed(0x80005FFC, 4))
        self.assertFalse(info.mmio_allowed(0x80006000, 4))
        self.assertFalse(info.mmio_allowed(0x00001000, 4))  # DDR (MEMTYPE MEMORY) is never MMIO
        self.assertEqual(info.clocks_mhz, {0: 172.220505})
        self.assertIsNone(info.find_engine())  # the paper's IP is cnn_0 (xilinx.com:hls:cnn), not the cnna engine

    def test_entity_expansion_and_garbage_are_rejected(self):
        laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><EDKSYSTEM>&b;</EDKSYSTEM>'
        for data, words in ((laughs, "DOCTYPE"), (b"<EDKSYSTEM><MODULES>", "not well-formed"), (b"\xff\xfe", "not well-formed"),
                            (b"<foo/>", "root"), (b'<EDKSYSTEM><MODULES><MODULE INSTANCE="x"><MEMORYMAP><MEMRANGE MEMTYPE="REGISTER" '
                                                  b'BASEVALUE="0x10" HIGHVALUE="zz" INSTANCE="y"/></MEMORYMAP></MODULE></MODULES></EDKSYSTEM>', "not a number")):
            with self.assertRaises(ValueError) as e:
                parse_hwh(data)
            self.assertIn(words, str(e.exception))


class BindTest(unittest.TestCase):
    def test_only_loopback_or_usb0_by_default(self):
        for host in ("127.0.0.1", "::1", "localhost", "192.168.3.1"):
            self.assertEqual(check_bind_host(host, False), host)
        for host in ("0.0.0.0", "::", "192.168.1.10"):
            with self.assertRaises(ValueError):
                check_bind_host(host, False)
        self.assertEqual(check_bind_host("0.0.0.0", True), "0.0.0.0")
        d = tempfile.mkdtemp(prefix="cnna-bind-")
        self.addCleanup(shutil.rmtree, d, True)
        r = subprocess.run([sys.executable, "-m", "cnna_agent", "--cache", d, "--tcp", "0.0.0.0:0", "--hw", "fake"],
                           cwd=AGENT_DIR, capture_output=True, text=True, timeout=300,
                           env={"PATH": os.environ["PATH"], "CNNA_BOARD_TOKEN": "bind-test-token"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("refusing to listen on 0.0.0.0", r.stderr)


if __name__ == "__main__":
    unittest.main()


class PartialQuotaTest(unittest.TestCase):
    def test_partial_uploads_are_bounded_oldest_dropped(self):
        d = tempfile.mkdtemp(prefix="cnna-quota-")
        self.addCleanup(shutil.rmtree, d, True)
        c = ContentCache(d, 1000, fsync=False)
        hashes = ["%064x" % i for i in range(1, 5)]
        for i, h in enumerate(hashes):
            c.begin("bundle", 700, h, 1)
            c.chunk(h, 0, b"x" * 10, 4096, 2)
            os.utime(os.path.join(d, "partial", h + ".json"), (1000 + i, 1000 + i))
        # 4 x 700 > 2 x 1000: each begin dropped the oldest until the declared total fits
        left = sorted(n[:-5] for n in os.listdir(os.path.join(d, "partial")) if n.endswith(".json"))
        self.assertEqual(left, hashes[2:])
        with self.assertRaises(ProtocolError) as e:
            c.status(hashes[0], 9)
        self.assertEqual(e.exception.code, "UNKNOWN_UPLOAD")
        self.assertEqual(c.status(hashes[3], 9)["received"], [[0, 10]])
