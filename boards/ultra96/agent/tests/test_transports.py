"""The agent over real transports: the scripted conformance session over TCP loopback and over a
pseudo-terminal pair; PING and CANCEL while an inference runs; timeouts; an oversized TCP frame
closes only its connection; a corrupted serial byte costs one frame; the real CLI process.

Invariant: nothing here depends on how fast the machine is. The fake engine stays busy until the
test ends it (engine_delay_s is far beyond any run), waits are for events with generous overall
limits (RECV_S), and a timeoutMs that must expire is one the engine cannot beat.
"""

import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import tty
import unittest

from helpers import AGENT_DIR, MINI_HWH, load_vectors, make_agent, make_bit, make_bundle, nonces_from, probe_engine, sha
from test_vectors import check_step, session_limits

from cnna_agent import contract as R
from cnna_agent.framing import SerialDeframer, cobs_decode, serial_encode, tcp_encode
from cnna_agent.hw_fake import FakeHardware
from cnna_agent.protocol import TYPES, decode_frame, encode_frame
from cnna_agent.server import TcpServer, serve_serial
from cnna_agent.session import Limits, auth_mac

T = TYPES
SESSION = load_vectors("session.json")
RECV_S = 120           # how long a client waits for an answer before the test fails (a hang, not a speed)
ENGINE_FOREVER_S = 3600.0


class TcpClient:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=RECV_S)
        self.buf = b""

    def send_raw(self, frame):
        self.sock.sendall(tcp_encode(frame))

    def recv(self):
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack_from("<I", self.buf)[0]
                if len(self.buf) >= 4 + n:
                    f, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return decode_frame(f, 1 << 26, to_agent=False)
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                return None
            self.buf += chunk

    def call(self, name, rid, body, blob=b""):
        self.send_raw(encode_frame(T[name], rid, body, blob))
        return self.recv()


class PtyClient:
    def __init__(self, master):
        self.fd = master
        self.deframer = SerialDeframer(1 << 22)
        self.pending = []

    def send_raw(self, frame):
        os.write(self.fd, serial_encode(frame))

    def recv(self, timeout=RECV_S):
        end = time.monotonic() + timeout
        while not self.pending:
            r, _, _ = select.select([self.fd], [], [], max(0, end - time.monotonic()))
            if not r:
                return None
            self.pending += [v for k, v in self.deframer.feed(os.read(self.fd, 1 << 16)) if k == "frame"]
        return decode_frame(self.pending.pop(0), 1 << 26, to_agent=False)


def run_session_vectors(tc, client):
    for step in SESSION["steps"]:
        with tc.subTest(step["note"]):
            client.send_raw(bytes.fromhex(step["raw"]))
            r = client.recv()
            tc.assertIsNotNone(r)
            check_step(tc, step, encode_frame(r.type, r.request_id, r.body, r.blob, r.flags))


class SessionOverTransports(unittest.TestCase):
    def agent(self):
        a = SESSION["agent"]
        agent, d = make_agent(token=a["token"], max_upload=a["limits"]["maxUpload"])
        self.addCleanup(shutil.rmtree, d, True)
        return agent, nonces_from(a["nonces"])

    def test_session_vectors_over_tcp_loopback(self):
        agent, nonces = self.agent()
        srv = TcpServer(agent, session_limits(), "127.0.0.1", 0, nonce_source=nonces).start()
        self.addCleanup(srv.stop)
        c = TcpClient(srv.port)
        self.addCleanup(c.sock.close)
        run_session_vectors(self, c)

    def test_session_vectors_over_a_pty_pair(self):
        agent, nonces = self.agent()
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        stop = threading.Event()
        t = threading.Thread(target=serve_serial, args=(agent, session_limits(), os.ttyname(slave), 3000000, nonces, stop), daemon=True)
        t.start()
        self.addCleanup(lambda: (stop.set(), t.join(5), os.close(master), os.close(slave)))
        c = PtyClient(master)
        run_session_vectors(self, c)
        # a corrupted byte costs exactly that frame; the next one is served
        bad = bytearray(serial_encode(encode_frame(T["PING"], 100, {}, b"abc")))
        bad[20] ^= 0x40
        os.write(master, bytes(bad))
        self.assertEqual(c.recv().body["code"], "BAD_CRC")
        c.send_raw(encode_frame(T["PING"], 101, {}, b"abc"))
        r = c.recv()
        self.assertEqual((r.type, r.request_id, r.blob), (T["PING"], 101, b"abc"))


def login_and_deploy(tc, c, token, bundle):
    """HELLO, AUTH (the server's nonce source gives 09..09), upload, DEPLOY and ACTIVATE."""
    c.call("HELLO", 1, {"client": "t", "protocol": 1})
    tc.assertEqual(c.call("AUTH", 2, {"clientNonce": "0a" * 16, "mac": auth_mac(token, b"\x09" * 16, b"\x0a" * 16)}).type, T["AUTH"])
    with open(MINI_HWH, "rb") as f:
        hwh = f.read()
    rid = 3
    hs = []
    for kind, data in (("bitstream", make_bit(b"\x02" * 64)), ("hwh", hwh), ("bundle", bundle)):
        c.call("UPLOAD_BEGIN", rid, {"kind": kind, "size": len(data), "sha256": sha(data)})
        for off in range(0, len(data), 65536):
            c.call("UPLOAD_CHUNK", rid + 1, {"uploadId": sha(data), "offset": off}, data[off:off + 65536])
        tc.assertEqual(c.call("UPLOAD_END", rid + 2, {"uploadId": sha(data)}).type, T["UPLOAD_END"])
        hs.append(sha(data))
        rid += 3
    d = c.call("DEPLOY", rid, {"bitstream": hs[0], "hwh": hs[1], "bundle": hs[2]}).body
    tc.assertEqual(c.call("ACTIVATE", rid + 1, {"deployId": d["deployId"]}).type, T["ACTIVATE"])


class ConcurrencyTest(unittest.TestCase):
    def setUp(self):
        self.hw = FakeHardware(engine_model=probe_engine, engine_delay_s=ENGINE_FOREVER_S)
        self.agent, d = make_agent(token="conc-token", hw=self.hw)
        self.addCleanup(shutil.rmtree, d, True)
        self.addCleanup(self.hw.finish_engine)
        self.srv = TcpServer(self.agent, Limits(chunk_size=65536), "127.0.0.1", 0, nonce_source=lambda: b"\x09" * 16).start()
        self.addCleanup(self.srv.stop)
        c = self.c = TcpClient(self.srv.port)
        self.addCleanup(c.sock.close)
        login_and_deploy(self, c, b"conc-token", make_bundle())
        self.spec = [{"name": "image", "dtype": "int16", "shape": [1, 3, 4, 5], "length": 120}]

    def engine_busy(self):
        return bool(self.hw.regs.get(self.hw.engine_base + R.CTRL, 0) & R.CTRL_BUSY)

    def wait_engine_busy(self):
        deadline = time.monotonic() + RECV_S
        while not self.engine_busy():
            self.assertLess(time.monotonic(), deadline, "the INFER never started the engine")
            time.sleep(0.01)

    def test_ping_and_cancel_while_inferring(self):
        c = self.c
        c.send_raw(encode_frame(T["INFER"], 50, {"inputs": self.spec}, bytes(120)))
        c.send_raw(encode_frame(T["INFO"], 51, {}))  # queued behind the INFER
        self.wait_engine_busy()
        # answered while the engine still runs (it runs until the test ends it), ahead of the
        # INFER and of the INFO queued behind it
        r = c.call("PING", 52, {}, b"alive")
        self.assertEqual((r.type, r.request_id, r.blob), (T["PING"], 52, b"alive"))
        self.assertTrue(self.engine_busy())
        c.send_raw(encode_frame(T["CANCEL"], 53, {"requestId": 51}))
        c.send_raw(encode_frame(T["CANCEL"], 54, {"requestId": 50}))
        got = {}
        for _ in range(4):
            f = c.recv()
            got[(f.request_id, f.type)] = f.body
        self.assertEqual(got[(53, T["CANCEL"])], {"requestId": 51, "cancelled": True})
        self.assertEqual(got[(54, T["CANCEL"])], {"requestId": 50, "cancelled": True})
        self.assertEqual(got[(51, T["ERROR"])]["code"], "CANCELLED")
        self.assertEqual(got[(50, T["ERROR"])]["code"], "CANCELLED")
        self.assertEqual(c.call("CANCEL", 55, {"requestId": 50}).body, {"requestId": 50, "cancelled": False})

    def test_timeout_then_a_good_inference(self):
        # timeoutMs counts from arrival: it must outlast the worker picking the request up
        # (else the answer is "ran out while queued"), and the engine cannot beat it.
        c = self.c
        r = c.call("INFER", 60, {"inputs": self.spec, "timeoutMs": 2000}, bytes(120))
        self.assertEqual((r.body["code"], r.body["message"]), ("TIMEOUT", "the engine did not finish within timeoutMs"))
        self.assertTrue(self.engine_busy())
        r = c.call("INFER", 61, {"inputs": self.spec, "timeoutMs": 2000}, bytes(120))
        self.assertEqual((r.body["code"], r.body["message"]), ("TIMEOUT", "the engine is still busy with an earlier (cancelled) run"))
        self.hw.engine_delay_s = 0.05
        self.hw.finish_engine()
        r = c.call("INFER", 62, {"inputs": self.spec, "timeoutMs": RECV_S * 1000}, bytes(120))
        self.assertEqual((r.type, r.body["cycles"]), (T["INFER"], 4242))

    def test_oversized_tcp_frame_closes_only_that_connection(self):
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=RECV_S)
        s.sendall(struct.pack("<I", 0xFFFFFFF0) + b"x" * 100)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        f = decode_frame(data[4:], 1 << 20, to_agent=False)
        self.assertEqual((f.body["code"], f.request_id), ("FRAME_TOO_LARGE", 0))
        self.assertEqual(self.c.call("PING", 70, {}, b"still").blob, b"still")
        c2 = TcpClient(self.srv.port)
        self.addCleanup(c2.sock.close)
        self.assertEqual(c2.call("PING", 1, {}, b"new").blob, b"new")


class SlowReaderTest(unittest.TestCase):
    def test_a_host_that_stops_reading_for_a_while_gets_every_answer(self):
        # A host busy elsewhere (a loaded machine, a long computation) does not read its socket
        # for seconds while the agent answers: the answers wait in the socket (more than the
        # kernel buffers hold), the connection stays.
        agent, d = make_agent(token="slow-token")
        self.addCleanup(shutil.rmtree, d, True)
        srv = TcpServer(agent, Limits(chunk_size=65536), "127.0.0.1", 0, nonce_source=lambda: b"\x09" * 16).start()
        self.addCleanup(srv.stop)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(RECV_S)
        s.connect(("127.0.0.1", srv.port))
        self.addCleanup(s.close)
        c = TcpClient.__new__(TcpClient)
        c.sock, c.buf = s, b""
        ddr = 1 << 20
        login_and_deploy(self, c, b"slow-token", make_bundle(ddr=ddr))
        n, length = 8, ddr - 4096  # 8 MB of answers, a frame each below maxFrame
        for i in range(n):
            c.send_raw(encode_frame(T["BUFFER_READ"], 100 + i, {"name": "bundle", "offset": 0, "length": length}))
        time.sleep(3)
        for i in range(n):
            f = c.recv()
            self.assertIsNotNone(f, "the agent closed the connection after %d of %d answers" % (i, n))
            self.assertEqual((f.type, f.request_id, len(f.blob)), (T["BUFFER_READ"], 100 + i, length))
        self.assertEqual(c.call("PING", 200, {}, b"still").blob, b"still")


class IdleTimeoutTest(unittest.TestCase):
    def test_a_long_request_keeps_its_session_then_idleness_ends_it(self):
        hw = FakeHardware(engine_model=probe_engine, engine_delay_s=ENGINE_FOREVER_S)
        self.addCleanup(hw.finish_engine)
        agent, d = make_agent(token="idle-token", hw=hw)
        self.addCleanup(shutil.rmtree, d, True)
        srv = TcpServer(agent, Limits(chunk_size=65536, idle_timeout_ms=300), "127.0.0.1", 0, nonce_source=lambda: b"\x09" * 16).start()
        self.addCleanup(srv.stop)
        c = TcpClient(srv.port)
        self.addCleanup(c.sock.close)
        login_and_deploy(self, c, b"idle-token", make_bundle())
        spec = [{"name": "image", "dtype": "int16", "shape": [1, 3, 4, 5], "length": 120}]
        c.send_raw(encode_frame(T["INFER"], 50, {"inputs": spec}, bytes(120)))
        time.sleep(2.0)  # far beyond idleTimeoutMs, the host quiet, the INFER running
        self.assertEqual(c.call("PING", 51, {}, b"here").blob, b"here")
        hw.engine_delay_s = 0.0
        hw.finish_engine()
        r = c.recv()
        self.assertEqual((r.type, r.request_id, r.body["cycles"]), (T["INFER"], 50, 4242))
        self.assertIsNone(c.recv())  # then, with nothing to do and nothing sent, the agent closes


class CliProcessTest(unittest.TestCase):
    def test_agent_process_serves_tcp_and_restores_after_restart(self):
        import tempfile
        d = tempfile.mkdtemp(prefix="cnna-cli-")
        self.addCleanup(shutil.rmtree, d, True)

        def start():
            p = subprocess.Popen([sys.executable, "-m", "cnna_agent", "--cache", d, "--tcp", "127.0.0.1:0", "--hw", "fake"],
                                 cwd=AGENT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env={"PATH": os.environ["PATH"], "CNNA_BOARD_TOKEN": "cli-token-123", "PYTHONDONTWRITEBYTECODE": "1"})
            line = p.stdout.readline()
            self.assertRegex(line, r"^cnna_agent: listening on 127\.0\.0\.1:\d+$")
            return p, int(line.rsplit(":", 1)[1])

        def login(port):
            c = TcpClient(port)
            n = bytes.fromhex(c.call("HELLO", 1, {"client": "t", "protocol": 1}).body["nonce"])
            self.assertEqual(c.call("AUTH", 2, {"clientNonce": "0b" * 16, "mac": auth_mac(b"cli-token-123", n, b"\x0b" * 16)}).type, T["AUTH"])
            return c

        p, port = start()
        try:
            c = login(port)
            with open(MINI_HWH, "rb") as f:
                hwh = f.read()
            rid, hs = 3, []
            for kind, data in (("bitstream", make_bit(b"\x03" * 64)), ("hwh", hwh), ("bundle", make_bundle())):
                c.call("UPLOAD_BEGIN", rid, {"kind": kind, "size": len(data), "sha256": sha(data)})
                c.call("UPLOAD_CHUNK", rid + 1, {"uploadId": sha(data), "offset": 0}, data)
                c.call("UPLOAD_END", rid + 2, {"uploadId": sha(data)})
                hs.append(sha(data))
                rid += 3
            did = c.call("DEPLOY", rid, {"bitstream": hs[0], "hwh": hs[1], "bundle": hs[2]}).body["deployId"]
            self.assertEqual(c.call("ACTIVATE", rid + 1, {"deployId": did}).type, T["ACTIVATE"])
            c.sock.close()
        finally:
            p.kill()
            p.wait(10)
            p.stdout.close()
            p.stderr.close()
        p, port = start()
        try:
            c = login(port)
            info = c.call("INFO", 3, {}).body
            self.assertEqual((info["deployId"], info["bundle"], info["backend"]), (did, hs[2], "fake"))
            r = c.call("INFER", 4, {"inputs": [{"name": "image", "dtype": "int16", "shape": [1, 3, 4, 5], "length": 120}]}, bytes(120))
            self.assertEqual((r.type, r.body["cycles"]), (T["INFER"], 1000))  # hw_fake's default model: 1000 per job
            c.sock.close()
        finally:
            p.kill()
            p.wait(10)
            p.stdout.close()
            p.stderr.close()


if __name__ == "__main__":
    unittest.main()


class ClientLimitTest(unittest.TestCase):
    def test_connection_cap_evicts_the_oldest_unauthenticated_then_refuses_with_busy(self):
        from cnna_agent.server import MAX_CLIENTS
        from cnna_agent.session import auth_mac
        agent, d = make_agent(token="limit-token")
        self.addCleanup(shutil.rmtree, d, True)
        srv = TcpServer(agent, Limits(), "127.0.0.1", 0, nonce_source=lambda: b"\x07" * 16).start()
        self.addCleanup(srv.stop)
        clients = [TcpClient(srv.port) for _ in range(MAX_CLIENTS)]
        for i, c in enumerate(clients):
            self.assertEqual(c.call("PING", 1, {}, b"%d" % i).blob, b"%d" % i)
        # one more: the oldest unauthenticated connection gets BUSY and is closed, the new one is served
        extra = TcpClient(srv.port)
        self.assertEqual(extra.call("PING", 1, {}, b"x").blob, b"x")
        evicted = clients[0].recv()
        self.assertEqual((evicted.request_id, evicted.body["code"]), (0, "BUSY"))
        self.assertIn("was the oldest such, so it is closed to make room", evicted.body["message"])
        self.assertIsNone(clients[0].recv())
        live = clients[1:] + [extra]
        for i, c in enumerate(live):
            h = c.call("HELLO", 2, {"client": "t", "protocol": 1})
            cn = "%032x" % i
            a = c.call("AUTH", 3, {"clientNonce": cn, "mac": auth_mac(b"limit-token", bytes.fromhex(h.body["nonce"]), bytes.fromhex(cn))})
            self.assertEqual(a.type_name, "AUTH")
        # all authenticated: a new connection is refused with BUSY and closed
        last = TcpClient(srv.port)
        refused = last.recv()
        self.assertEqual((refused.request_id, refused.body["code"]), (0, "BUSY"))
        self.assertEqual(refused.body["message"], "the board holds its limit of %d connections, all authenticated; retry later" % MAX_CLIENTS)
        self.assertIsNone(last.recv())
        live[0].sock.close()
        deadline = time.monotonic() + RECV_S
        while srv.clients >= MAX_CLIENTS:
            self.assertLess(time.monotonic(), deadline, "the closed connection's slot was never freed")
            time.sleep(0.05)
        again = TcpClient(srv.port)
        self.assertEqual(again.call("PING", 1, {}, b"again").blob, b"again")
        for c in live[1:] + [again]:
            c.sock.close()

    def test_frames_before_auth_are_small_and_big_frames_share_one_budget(self):
        from cnna_agent.session import auth_mac
        agent, d = make_agent(token="budget-token")
        agent.guards.max_buffered_bytes = 3 << 20
        self.addCleanup(shutil.rmtree, d, True)
        srv = TcpServer(agent, Limits(), "127.0.0.1", 0, nonce_source=lambda: b"\x07" * 16).start()
        self.addCleanup(srv.stop)
        # before AUTH: a 1 MiB frame header is refused at once
        c = TcpClient(srv.port)
        c.sock.sendall(struct.pack("<I", 1 << 20) + b"\x00" * 1000)
        e = c.recv()
        self.assertEqual((e.request_id, e.body["code"], e.body["message"]),
                         (0, "FRAME_TOO_LARGE", "declared frame length 1048576 is above the pre-AUTH frame limit 4096"))
        self.assertIsNone(c.recv())
        # after AUTH: half-sent 1 MiB frames hold budget; the fourth does not fit 3 MiB
        held = []
        for i in range(4):
            k = TcpClient(srv.port)
            h = k.call("HELLO", 1, {"client": "t", "protocol": 1})
            cn = "%032x" % i
            self.assertEqual(k.call("AUTH", 2, {"clientNonce": cn, "mac": auth_mac(b"budget-token", bytes.fromhex(h.body["nonce"]), bytes.fromhex(cn))}).type_name, "AUTH")
            k.sock.sendall(struct.pack("<I", 1 << 20) + b"\x00" * (1 << 19))
            held.append(k)
        e = held[3].recv()
        self.assertEqual((e.request_id, e.body["code"]), (0, "BUSY"))
        self.assertEqual(e.body["message"], "a frame of 1048576 bytes does not fit the agent's buffer budget now (other connections hold it); retry later")
        self.assertIsNone(held[3].recv())
        self.assertEqual(agent.guards.buffered, 3 << 20)
        for k in held[:3]:
            k.sock.close()
        deadline = time.monotonic() + RECV_S
        while agent.guards.buffered:
            self.assertLess(time.monotonic(), deadline, "closed connections never gave their budget back")
            time.sleep(0.05)
