"""Transport framing of docs/protocol.md section 2: COBS + 0x00 on serial, u32 length on TCP.

Both deframers are push parsers: feed(bytes) returns a list of events, each either
("frame", bytes) or ("error", ProtocolError) or ("close", None). Invariants: the buffered
bytes never exceed the spec's bound (serial: maxFrame + ceil(maxFrame/254) + 1 encoded bytes;
TCP: 4 + maxFrame), so memory stays bounded whatever the peer sends.
"""

import struct

from .protocol import MIN_FRAME, ProtocolError


def cobs_encode(data):
    out = bytearray()
    i = 0
    n = len(data)
    while True:
        j = i
        while j < n and j - i < 254 and data[j] != 0:
            j += 1
        run = j - i
        if run == 254:
            out.append(0xFF)
            out += data[i:j]
            i = j
            continue
        out.append(run + 1)
        out += data[i:j]
        if j >= n:
            break
        i = j + 1
    return bytes(out)


def cobs_decode(enc):
    """Decodes one COBS frame (without its 0x00 delimiter); raises ValueError when invalid."""
    out = bytearray()
    i = 0
    n = len(enc)
    while i < n:
        code = enc[i]
        if code == 0 or i + code > n:
            raise ValueError("COBS code byte 0x%02x at %d runs past the end of the frame" % (code, i))
        out += enc[i + 1:i + code]
        i += code
        if code < 0xFF and i < n:
            out.append(0)
    return bytes(out)


def serial_encode(frame):
    return cobs_encode(frame) + b"\x00"


class SerialDeframer:
    def __init__(self, max_frame):
        self.max_frame = max_frame
        self.max_encoded = max_frame + -(-max_frame // 254) + 1
        self.buf = bytearray()
        self.dropping = False

    def feed(self, data):
        events = []
        start = 0
        n = len(data)
        while start < n:
            z = data.find(b"\x00", start)
            end = n if z == -1 else z
            if not self.dropping:
                self.buf += data[start:end]
                if len(self.buf) > self.max_encoded:
                    self.buf = bytearray()
                    self.dropping = True
                    events.append(("error", ProtocolError(
                        "FRAME_TOO_LARGE", "serial frame exceeds %d encoded bytes" % self.max_encoded)))
            if z == -1:
                break
            if self.dropping:
                self.dropping = False
            elif self.buf:
                enc = bytes(self.buf)
                self.buf = bytearray()
                try:
                    events.append(("frame", cobs_decode(enc)))
                except ValueError as e:
                    events.append(("error", ProtocolError("BAD_COBS", str(e))))
            start = z + 1
        return events


class TcpDeframer:
    def __init__(self, max_frame):
        self.max_frame = max_frame
        self.buf = bytearray()
        self.closed = False

    def feed(self, data):
        events = []
        if self.closed:
            return events
        self.buf += data
        while len(self.buf) >= 4:
            length = struct.unpack_from("<I", self.buf, 0)[0]
            if length > self.max_frame:
                self.buf = bytearray()
                self.closed = True
                events.append(("error", ProtocolError(
                    "FRAME_TOO_LARGE", "declared frame length %d is above maxFrame %d" % (length, self.max_frame))))
                events.append(("close", None))
                break
            if len(self.buf) < 4 + length:
                break
            frame = bytes(self.buf[4:4 + length])
            del self.buf[:4 + length]
            if length < MIN_FRAME:
                events.append(("error", ProtocolError(
                    "TRUNCATED", "frame of %d bytes is shorter than the 16-byte minimum" % length)))
            else:
                events.append(("frame", frame))
        return events


def tcp_encode(frame):
    return struct.pack("<I", len(frame)) + frame
