"""The header of a Xilinx bitstream file (.bit), checked at DEPLOY before a file is accepted as an
overlay; the same rules as host/hwh/bitstream-header.ts (docs/protocol.md 4.3). Layout, big-endian:
u16 9 | 0f f0 0f f0 0f f0 0f f0 00 | u16 1 | 'a' u16 n design | 'b' u16 n part | 'c' u16 n date |
'd' u16 n time | 'e' u32 n | n bytes of configuration data holding the sync word aa 99 55 66 in
their first 256 bytes. parse_bitstream_header() returns the fields or raises ValueError saying why
the bytes are not a .bit file; encode_bitstream() writes one (tests).
"""

import struct

MAGIC = bytes([0x00, 0x09, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x00, 0x00, 0x01])
SYNC = bytes([0xAA, 0x99, 0x55, 0x66])
SYNC_WITHIN = 256


def parse_bitstream_header(data):
    data = bytes(data)
    if not data.startswith(MAGIC):
        first = " ".join("%02x" % b for b in data[:8]) or "(none: the file is empty)"
        raise ValueError("it does not start with the Xilinx bitstream header (00 09 0f f0 0f f0 0f f0 0f f0 00 00 01); "
                         "its first bytes are %s" % first)
    p = len(MAGIC)
    fields = {}
    for key in "abcd":
        if p + 3 > len(data) or data[p] != ord(key):
            raise ValueError("the header lacks its '%s' field at byte %d" % (key, p))
        (n,) = struct.unpack_from(">H", data, p + 1)
        if p + 3 + n > len(data):
            raise ValueError("the header's '%s' field (%d bytes at %d) runs past the end of the file" % (key, n, p + 3))
        fields[key] = data[p + 3:p + 3 + n].rstrip(b"\0").decode("utf-8", "replace")
        p += 3 + n
    if p + 5 > len(data) or data[p] != ord("e"):
        raise ValueError("the header lacks its 'e' field (the configuration data length) at byte %d" % p)
    (length,) = struct.unpack_from(">I", data, p + 1)
    off = p + 5
    if off + length != len(data):
        raise ValueError("the header announces %d bytes of configuration data, the file holds %d after the header"
                         % (length, len(data) - off))
    if data.find(SYNC, off, off + min(length, SYNC_WITHIN + 4)) < 0:
        raise ValueError("the configuration data has no sync word (aa 99 55 66) in its first %d bytes" % SYNC_WITHIN)
    return {"design": fields["a"], "part": fields["b"], "date": fields["c"], "time": fields["d"],
            "dataOffset": off, "dataLength": length}


def encode_bitstream(design, part, body, date="2026/01/01", time="00:00:00"):
    """A .bit file whose configuration data is padding, the sync word, then `body`."""
    def field(key, s):
        b = s.encode("utf-8") + b"\0"
        return key.encode("ascii") + struct.pack(">H", len(b)) + b
    data = b"\xff" * 32 + bytes([0, 0, 0, 0xBB, 0x11, 0x22, 0, 0x44]) + b"\xff" * 8 + SYNC + bytes(body)
    return MAGIC + field("a", design) + field("b", part) + field("c", date) + field("d", time) + b"e" + struct.pack(">I", len(data)) + data
