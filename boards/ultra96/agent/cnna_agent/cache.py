"""Content-addressed cache of uploaded objects (docs/protocol.md 4.2 and 6).

Layout under the cache root: objects/<sha256> (complete, verified), partial/<sha256>.part
(bytes so far), partial/<sha256>.json (kind, size), partial/<sha256>.ranges (append-only
journal of received ranges), kinds.json, active.json, and
overlays/<sha256>/ (hard links that give PYNQ a .bit with its .hwh beside it).

Invariants:
  - every file name comes from a validated 64-char lowercase hex hash (HASH_RE), so no request
    can name a path outside the root; `_path` re-checks that the resolved path is inside it;
  - a chunk is written and fsync'ed before its range is journaled, and journaled before it is
    acknowledged, so a range on disk always holds its bytes;
  - an object appears under objects/ only by rename after its SHA-256 matched: a half-uploaded
    object never exists there, so it can never be deployed or activated;
  - partial uploads together declare at most 2 x maxUpload bytes (oldest dropped first).
"""

import hashlib
import json
import os
import re
import struct
import threading

from .protocol import ProtocolError

HASH_RE = re.compile(r"\A[0-9a-f]{64}\Z")
KINDS = ("bitstream", "hwh", "bundle")


def check_hash(value, field, request_id):
    if not isinstance(value, str) or not HASH_RE.match(value):
        raise ProtocolError("BAD_REQUEST", "%s must be a 64-character lowercase hex SHA-256" % field, request_id)
    return value


def merge_ranges(ranges):
    out = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1][1] = e
        else:
            out.append([s, e])
    return out


def held(ranges):
    return sum(e - s for s, e in ranges)


def write_atomic(path, data, fsync=True):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


class ContentCache:
    def __init__(self, root, max_upload, fsync=True):
        self.root = os.path.realpath(root)
        self.max_upload = max_upload
        self.fsync = fsync
        self.lock = threading.Lock()
        self.uploads = {}
        for sub in ("objects", "partial", "overlays"):
            os.makedirs(os.path.join(self.root, sub), mode=0o700, exist_ok=True)

    def _path(self, *parts):
        p = os.path.realpath(os.path.join(self.root, *parts))
        if os.path.commonpath([p, self.root]) != self.root or p == self.root:
            raise ProtocolError("BAD_REQUEST", "path outside the cache directory")
        return p

    def object_path(self, h):
        return self._path("objects", h)

    def has(self, h):
        return os.path.isfile(self.object_path(h))

    def _meta_path(self, h):
        return self._path("partial", h + ".json")

    def _ranges_path(self, h):
        return self._path("partial", h + ".ranges")

    def _part_path(self, h):
        return self._path("partial", h + ".part")

    def _read_meta(self, h):
        """{kind, size, received}: kind and size from <h>.json, received from the append-only
        journal <h>.ranges (16-byte records u64 start, u64 end; a torn last record is ignored)."""
        m = self.uploads.get(h)
        if m is not None:
            return m
        try:
            with open(self._meta_path(h), "rb") as f:
                m = json.loads(f.read().decode("utf-8"))
            if m.get("kind") not in KINDS or not isinstance(m.get("size"), int) or not os.path.isfile(self._part_path(h)):
                return None
            size = m["size"]
            ranges = []
            try:
                with open(self._ranges_path(h), "rb") as f:
                    journal = f.read()
                for i in range(0, len(journal) - 15, 16):
                    a, b = struct.unpack_from("<QQ", journal, i)
                    if 0 <= a < b <= size:
                        ranges.append([a, b])
            except OSError:
                pass
            m = {"kind": m["kind"], "size": size, "received": merge_ranges(ranges)}
            self.uploads[h] = m
            return m
        except (OSError, ValueError, TypeError, AttributeError):
            return None

    def _write_meta(self, h, meta):
        write_atomic(self._meta_path(h), json.dumps({"kind": meta["kind"], "size": meta["size"]}, sort_keys=True).encode("utf-8"),
                     self.fsync)

    def _journal(self, h, a, b):
        fd = os.open(self._ranges_path(h), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, struct.pack("<QQ", a, b))
            if self.fsync:
                os.fdatasync(fd)
        finally:
            os.close(fd)

    def begin(self, kind, size, h, rid):
        with self.lock:
            if self.has(h):
                return {"uploadId": h, "size": size, "received": [[0, size]], "complete": True}
            meta = self._read_meta(h)
            if meta is None or meta["size"] != size or meta["kind"] != kind:
                self._make_room(size, h)
                meta = {"kind": kind, "size": size, "received": []}
                for path in (self._part_path(h), self._ranges_path(h)):
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    os.close(fd)
                self._write_meta(h, meta)
                self.uploads[h] = meta
            return {"uploadId": h, "size": size, "received": meta["received"], "complete": False}

    def _partials(self):
        out = []
        for name in os.listdir(os.path.join(self.root, "partial")):
            if name.endswith(".json") and HASH_RE.match(name[:-5]):
                m = self._read_meta(name[:-5])
                if m is not None:
                    out.append((os.path.getmtime(self._meta_path(name[:-5])), name[:-5], m["size"]))
        return sorted(out)

    def _make_room(self, size, keep):
        """Partial uploads together declare at most 2 x maxUpload bytes: the least recently begun
        ones are dropped first (a host resuming one of them starts it over)."""
        parts = [p for p in self._partials() if p[1] != keep]
        total = sum(p[2] for p in parts)
        while parts and total + size > 2 * self.max_upload:
            _, h, n = parts.pop(0)
            self._discard(h)
            total -= n

    def status(self, h, rid):
        with self.lock:
            if self.has(h):
                size = os.path.getsize(self.object_path(h))
                return {"uploadId": h, "size": size, "received": [[0, size]], "complete": True}
            meta = self._read_meta(h)
            if meta is None:
                raise ProtocolError("UNKNOWN_UPLOAD", "no upload %s in progress" % h[:12], rid)
            return {"uploadId": h, "size": meta["size"], "received": meta["received"], "complete": False}

    def chunk(self, h, offset, data, chunk_size, rid):
        with self.lock:
            meta = self._read_meta(h)
            if meta is None:
                raise ProtocolError("UNKNOWN_UPLOAD", "no upload %s in progress (begin it first)" % h[:12], rid)
            if not 1 <= len(data) <= chunk_size or offset + len(data) > meta["size"]:
                raise ProtocolError("BAD_RANGE", "chunk [%d, %d) is outside the %d-byte object or not 1..%d bytes"
                                    % (offset, offset + len(data), meta["size"], chunk_size), rid)
            fd = os.open(self._part_path(h), os.O_WRONLY)
            try:
                os.pwrite(fd, data, offset)
                if self.fsync:
                    os.fdatasync(fd)
            finally:
                os.close(fd)
            self._journal(h, offset, offset + len(data))
            meta["received"] = merge_ranges(meta["received"] + [[offset, offset + len(data)]])
            return {"uploadId": h, "offset": offset, "length": len(data), "received": held(meta["received"])}

    def end(self, h, rid):
        with self.lock:
            if self.has(h):
                size = os.path.getsize(self.object_path(h))
                return {"sha256": h, "size": size, "kind": self._kind_of(h)}
            meta = self._read_meta(h)
            if meta is None:
                raise ProtocolError("UNKNOWN_UPLOAD", "no upload %s in progress" % h[:12], rid)
            if held(meta["received"]) != meta["size"]:
                raise ProtocolError("INCOMPLETE", "upload %s holds %d of %d bytes" % (h[:12], held(meta["received"]), meta["size"]),
                                    rid, {"received": meta["received"]})
            part = self._part_path(h)
            digest = hashlib.sha256()
            with open(part, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
                if self.fsync:
                    os.fsync(f.fileno())
            if digest.hexdigest() != h:
                self._discard(h)
                raise ProtocolError("HASH_MISMATCH", "assembled bytes hash to %s, not the declared %s"
                                    % (digest.hexdigest()[:12], h[:12]), rid)
            os.replace(part, self.object_path(h))
            self._write_kind(h, meta["kind"])
            if self.fsync:
                dfd = os.open(os.path.join(self.root, "objects"), os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
            self._discard(h)
            return {"sha256": h, "size": meta["size"], "kind": meta["kind"]}

    def _discard(self, h):
        self.uploads.pop(h, None)
        for p in (self._part_path(h), self._meta_path(h), self._ranges_path(h)):
            try:
                os.unlink(p)
            except OSError:
                pass

    def _kinds_path(self):
        return self._path("kinds.json")

    def _kinds(self):
        try:
            with open(self._kinds_path(), "rb") as f:
                k = json.loads(f.read().decode("utf-8"))
            return k if isinstance(k, dict) else {}
        except (OSError, ValueError):
            return {}

    def _write_kind(self, h, kind):
        k = self._kinds()
        k[h] = kind
        write_atomic(self._kinds_path(), json.dumps(k, sort_keys=True).encode("utf-8"), self.fsync)

    def remove(self, h):
        """Removes a verified object (DEPLOY refused it)."""
        try:
            os.unlink(self.object_path(h))
        except OSError:
            pass
        k = self._kinds()
        if k.pop(h, None) is not None:
            write_atomic(self._kinds_path(), json.dumps(k, sort_keys=True).encode("utf-8"), self.fsync)

    def _kind_of(self, h):
        return self._kinds().get(h, "bundle")

    def objects(self):
        kinds = self._kinds()
        out = []
        for name in sorted(os.listdir(os.path.join(self.root, "objects"))):
            if HASH_RE.match(name):
                out.append({"sha256": name, "kind": kinds.get(name, "bundle"), "size": os.path.getsize(self.object_path(name))})
        return out

    def read_object(self, h):
        with open(self.object_path(h), "rb") as f:
            return f.read()

    def overlay_dir(self, bit_hash, hwh_hash):
        """A directory holding overlay.bit and overlay.hwh (hard links into objects/) for PYNQ."""
        d = self._path("overlays", bit_hash + "-" + hwh_hash[:16])
        os.makedirs(d, mode=0o700, exist_ok=True)
        for src, name in ((bit_hash, "overlay.bit"), (hwh_hash, "overlay.hwh")):
            dst = os.path.join(d, name)
            if not os.path.exists(dst):
                try:
                    os.link(self.object_path(src), dst + ".tmp")
                except OSError:
                    with open(self.object_path(src), "rb") as f:
                        write_atomic(dst + ".tmp", f.read(), self.fsync)
                os.replace(dst + ".tmp", dst)
        return d

    def read_active(self):
        try:
            with open(self._path("active.json"), "rb") as f:
                a = json.loads(f.read().decode("utf-8"))
            if all(isinstance(a.get(k), str) and HASH_RE.match(a[k]) for k in ("bitstream", "hwh", "bundle")):
                return a
        except (OSError, ValueError, AttributeError):
            pass
        return None

    def write_active(self, record):
        write_atomic(self._path("active.json"), json.dumps(record, sort_keys=True).encode("utf-8"), self.fsync)
