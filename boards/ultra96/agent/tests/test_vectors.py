"""The agent's protocol layer against the shared conformance vectors (test/vectors/protocol/),
the same files the host codec and the virtual board pass."""

import shutil
import unittest

from helpers import load_vectors, make_agent, nonces_from, subset

from cnna_agent.framing import SerialDeframer, TcpDeframer, serial_encode, tcp_encode
from cnna_agent.protocol import TYPES, ProtocolError, decode_frame, encode_frame
from cnna_agent.session import Limits, Session

FRAMES = load_vectors("frames.json")
INVALID = load_vectors("invalid.json")
SESSION = load_vectors("session.json")
BY_NAME = {v["name"]: v for v in FRAMES["vectors"]}


class FrameVectors(unittest.TestCase):
    def test_every_valid_frame(self):
        mf = FRAMES["defaults"]["maxFrame"]
        self.assertGreaterEqual(len(FRAMES["vectors"]), 30)
        for v in FRAMES["vectors"]:
            with self.subTest(v["name"]):
                fr = v["frame"]
                raw = bytes.fromhex(v["raw"])
                blob = bytes.fromhex(fr["blobHex"])
                self.assertEqual(encode_frame(fr["typeCode"], fr["requestId"], fr["body"], blob, fr["flags"]), raw)
                got = decode_frame(raw, mf, to_agent=(fr["flags"] & 1) == 0)
                self.assertEqual((got.version, got.type, got.flags, got.request_id), (1, fr["typeCode"], fr["flags"], fr["requestId"]))
                self.assertEqual(TYPES[fr["type"]], fr["typeCode"])
                self.assertEqual(got.body, fr["body"])
                self.assertEqual(got.blob, blob)
                self.assertEqual(serial_encode(raw).hex(), v["serial"])
                self.assertEqual(tcp_encode(raw).hex(), v["tcp"])
                for deframer, enc in ((SerialDeframer(mf), bytes.fromhex(v["serial"])), (TcpDeframer(mf), bytes.fromhex(v["tcp"]))):
                    self.assertEqual(deframer.feed(enc), [("frame", raw)])
                    events = []
                    for i in range(len(enc)):
                        events += deframer.feed(enc[i:i + 1])
                    self.assertEqual(events, [("frame", raw)])


def run_stream(transport, data, max_frame):
    """Feeds bytes as the agent receives them; returns the outcomes in the vectors' terms."""
    out = []

    def frame_outcome(raw):
        try:
            f = decode_frame(raw, max_frame, True)
        except ProtocolError as e:
            return {"error": e.code, "requestId": e.request_id}
        names = [n for n, v in BY_NAME.items() if bytes.fromhex(v["raw"]) == raw]
        return {"frame": names[0] if names else repr(f)}

    if transport == "frame":
        return [frame_outcome(data)]
    deframer = TcpDeframer(max_frame) if transport == "tcp" else SerialDeframer(max_frame)
    for kind, value in deframer.feed(data):
        if kind == "close":
            out.append({"close": True})
        elif kind == "error":
            out.append({"error": value.code, "requestId": value.request_id})
        else:
            out.append(frame_outcome(value))
    return out


class InvalidVectors(unittest.TestCase):
    def test_every_invalid_stream(self):
        self.assertGreaterEqual(len(INVALID["vectors"]), 30)
        for v in INVALID["vectors"]:
            with self.subTest(v["name"]):
                mf = v.get("limits", {}).get("maxFrame", INVALID["defaults"]["maxFrame"])
                self.assertEqual(run_stream(v["transport"], bytes.fromhex(v["hex"]), mf), v["expect"])


def check_step(tc, step, resp_raw):
    e = step["expect"]
    r = decode_frame(resp_raw, 1 << 24, to_agent=False)
    tc.assertEqual(r.request_id, e["requestId"])
    tc.assertEqual(r.flags, e["flags"])
    tc.assertEqual(r.type, TYPES[e["type"]])
    if "error" in e:
        tc.assertEqual(r.body["code"], e["error"], r.body.get("message"))
    if "body" in e:
        tc.assertTrue(subset(e["body"], r.body), "%r is not a subset of %r" % (e["body"], r.body))
    if "blobHex" in e:
        tc.assertEqual(r.blob.hex(), e["blobHex"])


def session_limits():
    lim = SESSION["agent"]["limits"]
    return Limits(max_frame=lim["maxFrame"], max_upload=lim["maxUpload"], chunk_size=lim["chunkSize"])


class SessionVectors(unittest.TestCase):
    def test_scripted_session(self):
        a = SESSION["agent"]
        agent, cache_dir = make_agent(token=a["token"], max_upload=a["limits"]["maxUpload"])
        self.addCleanup(shutil.rmtree, cache_dir, True)
        s = Session(agent, session_limits(), nonces_from(a["nonces"]))
        self.assertGreaterEqual(len(SESSION["steps"]), 40)
        for step in SESSION["steps"]:
            with self.subTest(step["note"]):
                out = s.handle(bytes.fromhex(step["raw"]))
                self.assertEqual(len(out), 1)
                check_step(self, step, out[0])


if __name__ == "__main__":
    unittest.main()
