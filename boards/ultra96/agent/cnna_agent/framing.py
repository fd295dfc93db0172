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
    """`limit`: the frame size accepted now (the agent lowers it before AUTH, at most max_frame).
    `guards`: when given, an incomplete frame longer than guards.pre_auth_max_frame is buffered
    only with its declared length reserved from the agent's budget (else BUSY, then close); the
    reservation is released when the frame is complete or by release_all() (connection end)."""

    def __init__(self, max_frame, guards=None):
        self.max_frame = max_frame
        self.limit = max_frame
        self.guards = guards
        self.reserved = 0
        self.buf = bytearray()
        self.closed = False

    def release_all(self):
        if self.guards is not None and self.reserved:
            self.guards.release(self.reserved)
        self.reserved = 0

    def _refuse(self, events, code, message):
        self.buf = bytearray()
        self.closed = True
        self.release_all()
        events.append(("error", ProtocolError(code, message)))
        events.append(("close", None))

    def feed(self, data):
        events = []
        if self.closed:
            return events
        self.buf += data
        while len(self.buf) >= 4:
            length = struct.unpack_from("<I", self.buf, 0)[0]
            if length > self.limit:
                self._refuse(events, "FRAME_TOO_LARGE", "declared frame length %d is above %s %d" % (
                    length, "maxFrame" if self.limit == self.max_frame else "the pre-AUTH frame limit", self.limit))
                break
            if len(self.buf) < 4 + length:
                g = self.guards
                if g is not None and length > g.pre_auth_max_frame and self.reserved == 0:
                    if not g.reserve(length):
                        self._refuse(events, "BUSY", "a frame of %d bytes does not fit the agent's buffer budget now "
                                                     "(other connections hold it); retry later" % length)
                        break
                    self.reserved = length
                break
            frame = bytes(self.buf[4:4 + length])
            del self.buf[:4 + length]
            if self.reserved:
                self.release_all()
            if length < MIN_FRAME:
                events.append(("error", ProtocolError(
                    "TRUNCATED", "frame of %d bytes is shorter than the 16-byte minimum" % length)))
            else:
                events.append(("frame", frame))
        return events


def tcp_encode(frame):
    return struct.pack("<I", len(frame)) + frame
