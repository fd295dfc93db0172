"""DEPLOY / ACTIVATE / INFER / MMIO / BUFFER (docs/protocol.md 4.3-4.5) on the thin hardware
interface (hw_pynq.py on the board, hw_fake.py in tests).

Invariants: only objects that passed UPLOAD_END (cache.has) can be staged; ACTIVATE switches
the active deployment in one step and records it with write-tmp + fsync + rename, and a
failure leaves the previous deployment active; DEPLOY refuses (BAD_ARTIFACT, and removes the
refused object from the cache unless a deployment uses it) a bitstream without a Xilinx .bit
header, a .hwh without the engine, a bundle whose configHash differs from the .hwh's CONFIG_HASH
or whose clock is more than 1% off the .hwh's engine clock; a bundle whose configHash differs
from the engine's CONFIG_ID registers is refused at ACTIVATE (BAD_ARTIFACT); MMIO runs only inside one REGISTER range of
the active .hwh, word aligned; buffer accesses stay inside the named buffer.
"""

import hashlib
import threading
import time

from . import contract as R
from .bitstream import parse_bitstream_header
from .bundle import load_bundle
from .host_ops import exit_reached, run_op
from .hwh_ranges import parse_hwh
from .protocol import ProtocolError

POLL_S = 0.0002
CLOCK_TOLERANCE = 0.01  # the bundle's clock may differ from the .hwh engine clock by at most 1%


def _num_text(v):
    return ("%d" % v) if float(v).is_integer() else ("%g" % v)


class ConfigMismatch(Exception):
    """The engine's CONFIG_ID registers name another config than the bundle's manifest."""


class Staged:
    def __init__(self, deploy_id, bit, hwh, bundle_hash, info, engine, bundle, clock_hz):
        self.deploy_id = deploy_id
        self.bit = bit
        self.hwh = hwh
        self.bundle_hash = bundle_hash
        self.info = info
        self.engine = engine
        self.bundle = bundle
        self.clock_hz = clock_hz


class Active:
    def __init__(self, staged, image, engine_mmio, engine_base):
        self.staged = staged
        self.image = image
        self.engine_mmio = engine_mmio
        self.engine_base = engine_base
        self.mmio = {}


class Deployer:
    def __init__(self, hw, cache, log=None):
        self.hw = hw
        self.cache = cache
        self.staged = {}
        self.active = None
        self.lock = threading.RLock()
        self.log = log or (lambda msg: None)

    # -- state ----------------------------------------------------------------------------
    def active_record(self):
        a = self.active
        if a is None:
            return None
        s = a.staged
        return {"bitstream": s.bit, "hwh": s.hwh, "bundle": s.bundle_hash, "deployId": s.deploy_id}

    def clock_hz(self):
        return self.active.staged.clock_hz if self.active else None

    def io_info(self):
        a = self.active
        if a is None:
            return {}
        b = a.staged.bundle
        io = {"inputs": [t.describe() for t in b.inputs], "outputs": [t.describe() for t in b.outputs]}
        if b.batch > 1:
            io["batch"] = b.batch
        return {"io": io,
                "registerRanges": [{"instance": i, "base": lo, "high": hi} for lo, hi, i, _ in a.staged.info.ranges]}

    def buffers(self):
        return [{"name": n, "size": size} for n, (_, size) in sorted(self._buffer_views().items())]

    def _buffer_views(self):
        a = self.active
        if a is None:
            return {}
        b = a.staged.bundle
        views = {"bundle": (0, b.ddr_bytes)}
        views["input"] = (b.inputs[0].offset, b.inputs[0].region_bytes)
        views["output"] = (b.outputs[0].offset, b.outputs[0].region_bytes)
        return views

    # -- DEPLOY / ACTIVATE ----------------------------------------------------------------
    def deploy(self, bit, hwh, bundle_hash, rid):
        with self.lock:
            missing = sorted({h for h in (bit, hwh, bundle_hash) if not self.cache.has(h)})
            if missing:
                raise ProtocolError("NOT_CACHED", "%d object(s) are not in the cache: upload them first" % len(missing),
                                    rid, {"missing": missing})
            st = self._stage(bit, hwh, bundle_hash, rid)
            self.staged[st.deploy_id] = st
            b = st.bundle
            r = {"deployId": st.deploy_id, "inputs": [t.describe() for t in b.inputs],
                 "outputs": [t.describe() for t in b.outputs], "clockHz": st.clock_hz}
            if b.batch > 1:
                r["batch"] = b.batch
            return r

    def _refuse(self, artifact, h, message, rid):
        """BAD_ARTIFACT naming the refused artifact, which leaves the cache unless a deployment uses it."""
        used = [self.active.staged] if self.active else []
        used += list(self.staged.values())
        in_use = any(h in (st.bit, st.hwh, st.bundle_hash) for st in used)
        if not in_use:
            self.cache.remove(h)
        raise ProtocolError("BAD_ARTIFACT", "%s%s" % (message, "" if in_use else "; the %s %s was removed from the cache" % (artifact, h[:12])),
                            rid, {"artifact": artifact, "removed": not in_use})

    def _stage(self, bit, hwh, bundle_hash, rid):
        # the checks of docs/protocol.md 4.3, in the order of host/hwh/deploy-checks.ts
        try:
            parse_bitstream_header(self.cache.read_object(bit))
        except ValueError as e:
            self._refuse("bitstream", bit, "the bitstream is not a Xilinx .bit file: %s" % e, rid)
        try:
            info = parse_hwh(self.cache.read_object(hwh))
        except ValueError as e:
            self._refuse("hwh", hwh, "hwh %s: %s" % (hwh[:12], e), rid)
        engine = info.find_engine(R.ENGINE_NAMES)
        if engine is None:
            self._refuse("hwh", hwh, "hwh %s has no cnna engine IP (MODTYPE %s) with a register range"
                         % (hwh[:12], "/".join(R.ENGINE_NAMES)), rid)
        base, high, _, _ = info.range_of(engine)
        if high - base + 1 < R.SPAN:
            self._refuse("hwh", hwh, "engine %s register range is %d bytes, below %d" % (engine, high - base + 1, R.SPAN), rid)
        try:
            bundle = load_bundle(self.cache.read_object(bundle_hash))
        except ValueError as e:
            self._refuse("bundle", bundle_hash, "bundle %s: %s" % (bundle_hash[:12], e), rid)
        model = bundle.manifest.get("model", "model")
        built = info.modules[engine].get("config_hash")
        if built and isinstance(bundle.config_hash, str) and bundle.config_hash.lower() != built:
            self._refuse("bundle", bundle_hash, "bundle '%s' was compiled for config %s, the overlay's engine %s is built for config %s; "
                         "recompile the model with the overlay's config (cnna compile --config FILE)" % (model, bundle.config_hash, engine, built), rid)
        hz = info.clock_hz_of(engine)
        mhz = (bundle.manifest.get("hwConfig") or {}).get("clockMhz")
        if isinstance(mhz, (int, float)) and not isinstance(mhz, bool):
            if hz is None:
                self._refuse("hwh", hwh, "the .hwh gives no clock for the engine %s" % engine, rid)
            if abs(mhz * 1e6 - hz) > CLOCK_TOLERANCE * hz:
                self._refuse("bundle", bundle_hash, "bundle '%s' was compiled for a %s MHz engine clock, the overlay clocks the engine %s at "
                             "%.3f MHz (.hwh); recompile with clockMhz %d in the config, or use an overlay built for %s MHz"
                             % (model, _num_text(mhz), engine, hz / 1e6, round(hz / 1e6), _num_text(mhz)), rid)
        deploy_id = hashlib.sha256(("%s:%s:%s" % (bit, hwh, bundle_hash)).encode("ascii")).hexdigest()[:32]
        return Staged(deploy_id, bit, hwh, bundle_hash, info, engine, bundle, hz)

    def _restore(self, previous):
        """After a failed activation: bring the previous deployment back up (or none if it fails too)."""
        if previous is None:
            return
        try:
            self.active = self._bring_up(previous.staged)
            self._free(previous)
        except Exception:
            self.active = None

    def activate(self, deploy_id, rid):
        with self.lock:
            st = self.staged.get(deploy_id)
            if st is None:
                raise ProtocolError("UNKNOWN_DEPLOY", "deployment %s was not staged in this agent run (DEPLOY it first)"
                                    % deploy_id[:32], rid)
            previous = self.active
            try:
                new = self._bring_up(st)
            except Exception as e:
                self._restore(previous)
                if isinstance(e, ConfigMismatch):
                    raise ProtocolError("BAD_ARTIFACT", "%s (previous deployment kept)" % e, rid) from None
                raise ProtocolError("BACKEND", "activating %s failed: %s: %s (previous deployment kept)"
                                    % (deploy_id[:12], type(e).__name__, str(e)[:160]), rid) from None
            self.active = new
            if previous is not None:
                self._free(previous)
            self.cache.write_active(self.active_record())
            return {"deployId": st.deploy_id, "overlay": st.bit, "hwh": st.hwh, "bundle": st.bundle_hash}

    def _bring_up(self, st):
        d = self.cache.overlay_dir(st.bit, st.hwh)
        self.hw.load_overlay(d + "/overlay.bit")
        b = st.bundle
        image = self.hw.allocate(b.ddr_bytes)
        image.write(0, b.image)
        image.flush()
        base = st.info.range_of(st.engine)[0]
        mmio = self.hw.mmio(base, R.SPAN)
        built = (mmio.read(R.CONFIG_ID_HI) << 32) | mmio.read(R.CONFIG_ID)
        want = b.config_hash
        if built != 0 and isinstance(want, str) and "%016x" % built != want.lower():
            image.free()
            raise ConfigMismatch("the bundle was compiled for config %s, the engine in this bitstream is built for "
                                 "config %016x: recompile the model for this overlay's config" % (want, built))
        return Active(st, image, mmio, base)

    def _free(self, active):
        try:
            active.image.free()
        except Exception:
            pass

    def restore(self):
        """Re-activates the deployment recorded in active.json (agent restart)."""
        rec = self.cache.read_active()
        if rec is None:
            return False
        try:
            self.deploy(rec["bitstream"], rec["hwh"], rec["bundle"], 0)
            did = hashlib.sha256(("%s:%s:%s" % (rec["bitstream"], rec["hwh"], rec["bundle"])).encode("ascii")).hexdigest()[:32]
            self.activate(did, 0)
            return True
        except ProtocolError as e:
            self.log("could not restore the active deployment: %s %s" % (e.code, e.message))
            return False

    # -- INFER ----------------------------------------------------------------------------
    def _need_active(self, rid, what):
        if self.active is None:
            raise ProtocolError("NOT_DEPLOYED", "%s needs an active deployment (deploy and activate first)" % what, rid)
        return self.active

    def infer(self, inputs, blob, rid, cancel=None, deadline=None, exit_threshold=None, images=1):
        """One start: `images` copies of the inputs, image-major in the blob; a batch bundle takes exactly its
        batch and lays image n's tensors at offset + n * imageStride."""
        with self.lock:
            a = self._need_active(rid, "INFER")
            b = a.staged.bundle
            if images != b.batch:
                template = R.INFER_IMAGES_BATCH1 if b.batch == 1 else R.INFER_IMAGES_BATCHN
                raise ProtocolError("BAD_INPUT", template.format(model=b.manifest.get("model"), batch=b.batch, images=images), rid)
            if len(inputs) != len(b.inputs):
                raise ProtocolError("BAD_INPUT", "the model takes %d input(s), got %d" % (len(b.inputs), len(inputs)), rid)
            for spec, given in zip(b.inputs, inputs):
                if not isinstance(given, dict):
                    raise ProtocolError("BAD_REQUEST", "each input must be an object", rid)
                want_len = 2 * spec.elements
                if (given.get("name") != spec.name or given.get("dtype") != "int16" or given.get("shape") != spec.shape
                        or given.get("length") != want_len):
                    raise ProtocolError("BAD_INPUT", "input %r must be {name: %r, dtype: int16, shape: %s, length: %d}"
                                        % (given.get("name"), spec.name, spec.shape, want_len), rid)
            pos = 0
            parts = []  # (spec, image n, bytes), image-major
            for n in range(images):
                for spec in b.inputs:
                    parts.append((spec, n, blob[pos:pos + 2 * spec.elements]))
                    pos += 2 * spec.elements
            if pos != len(blob):
                raise ProtocolError("BAD_INPUT", "the blob holds %d bytes, the inputs declare %d" % (len(blob), pos), rid)
            t0 = time.monotonic_ns()
            self._wait_idle(a, rid, cancel, deadline)
            exit_taken = None
            if b.segments is not None:
                values, cycles, exit_taken = self._run_segments(a, b, [(spec, raw) for spec, _, raw in parts], rid, cancel, deadline, exit_threshold)
            else:
                for spec, n, raw in parts:
                    a.image.write(spec.offset + n * spec.image_stride, spec.to_device(raw))
                a.image.flush()
                cycles = self._run(a, rid, cancel, deadline)
                a.image.invalidate()
            outs = []
            meta = []
            for n in range(images):  # the answer's blob: image 0's outputs, then image 1's, ...
                for spec in b.outputs:
                    if exit_taken is not None and spec.name not in values:
                        continue  # after an early exit: only the outputs computed by then
                    data = values[spec.name] if b.segments is not None else \
                        spec.from_device(a.image.read(spec.offset + n * spec.image_stride, spec.region_bytes))
                    outs.append(data)
                    if n == 0:
                        d = spec.describe()
                        d["length"] = len(data)
                        meta.append(d)
            compute_ns = time.monotonic_ns() - t0
            clock = a.staged.clock_hz
            time_ns = int(round(cycles * 1e9 / clock)) if clock else 0
            r = {"outputs": meta, "exit": exit_taken, "cycles": cycles, "timeNs": time_ns, "computeNs": compute_ns}
            if b.batch > 1:
                r["images"] = images
            return r, b"".join(outs)

    def _wait_idle(self, a, rid, cancel, deadline):
        """A cancelled or timed-out run may still be going (the engine has no abort): never
        overwrite its inputs while it reads them."""
        delay = POLL_S
        while a.engine_mmio.read(R.CTRL) & R.CTRL_BUSY:
            if cancel is not None and cancel.is_set():
                raise ProtocolError("CANCELLED", "inference cancelled by CANCEL", rid)
            if deadline is not None and time.monotonic() > deadline:
                raise ProtocolError("TIMEOUT", "the engine is still busy with an earlier (cancelled) run", rid)
            time.sleep(delay)
            delay = min(delay * 2, 0.005)

    def _run_segments(self, a, b, parts, rid, cancel, deadline, exit_threshold=None):
        """A partitioned bundle: each engine segment at BASE = image + its HEADER's offset, with its
        inputs written and its outputs read back; the host ops between them here (host_ops.py).
        Given a threshold, stops after the host segment of an exit op whose confidence reaches it.
        Returns (values, cycles, the exit taken or None)."""
        values = {spec.name: raw for spec, raw in parts}
        cycles = 0
        for seg in b.segments:
            if seg.kind == "host":
                try:
                    for op in seg.ops:
                        run_op(op, values, seg.tables)
                    exit_taken = exit_reached(seg.ops, values, exit_threshold)
                except ValueError as e:
                    raise ProtocolError("BACKEND", "host segment: %s" % e, rid)
                if exit_taken is not None:
                    return values, cycles, exit_taken
                continue
            for spec in seg.inputs:
                if spec.name not in values:
                    raise ProtocolError("BACKEND", "engine segment at byte %d reads %r, which no earlier segment wrote" % (seg.offset, spec.name), rid)
                a.image.write(spec.offset, spec.to_device(values[spec.name]))
            a.image.flush()
            cycles += self._run(a, rid, cancel, deadline, seg.offset)
            a.image.invalidate()
            for spec in seg.outputs:
                values[spec.name] = spec.from_device(a.image.read(spec.offset, spec.region_bytes))
        return values, cycles, None

    def _run(self, a, rid, cancel, deadline, offset=0):
        m = a.engine_mmio
        phys = a.image.physical_address + offset
        m.write(R.BASE_LO, phys & 0xFFFFFFFF)
        m.write(R.BASE_HI, (phys >> 32) & 0xFFFFFFFF)
        m.write(R.CTRL, R.CTRL_START)
        delay = POLL_S
        while True:
            if m.read(R.CTRL) & R.CTRL_DONE:
                break
            if cancel is not None and cancel.is_set():
                raise ProtocolError("CANCELLED", "inference cancelled by CANCEL", rid)
            if deadline is not None and time.monotonic() > deadline:
                raise ProtocolError("TIMEOUT", "the engine did not finish within timeoutMs", rid)
            time.sleep(delay)
            delay = min(delay * 2, 0.005)
        status = m.read(R.STATUS)
        if status != 0:
            raise ProtocolError("BACKEND", "the engine stopped with status %d (%s): the bundle does not fit this bitstream "
                                "(magic, version, config hash or limits)" % (status, R.STATUS_NAMES.get(status, "?")), rid,
                                dict({"status": status, "statusName": R.STATUS_NAMES.get(status, "?")},
                                     **({"hwError": self.hw.last_error} if getattr(self.hw, "last_error", None) else {})))
        return m.read(R.CYCLES_LO) | (m.read(R.CYCLES_HI) << 32)

    # -- MMIO / BUFFER ----------------------------------------------------------------------
    def _mmio_for(self, a, address, count, rid):
        if address % 4 or not a.staged.info.mmio_allowed(address, 4 * count):
            raise ProtocolError("MMIO_DENIED", "MMIO [0x%x, +%d words) is misaligned or outside the register ranges of "
                                "the active .hwh" % (address, count), rid)
        for base, high, _, _ in a.staged.info.ranges:
            if base <= address and address + 4 * count - 1 <= high:
                m = a.mmio.get(base)
                if m is None:
                    m = a.mmio[base] = self.hw.mmio(base, high - base + 1)
                return m, address - base
        raise ProtocolError("MMIO_DENIED", "no register range holds 0x%x" % address, rid)

    def mmio_read(self, address, count, rid):
        with self.lock:
            a = self._need_active(rid, "MMIO_READ")
            m, off = self._mmio_for(a, address, count, rid)
            return {"address": address, "values": [m.read(off + 4 * i) for i in range(count)]}

    def mmio_write(self, address, values, rid):
        with self.lock:
            a = self._need_active(rid, "MMIO_WRITE")
            m, off = self._mmio_for(a, address, len(values), rid)
            for i, v in enumerate(values):
                m.write(off + 4 * i, v)
            return {"address": address, "count": len(values)}

    def _view(self, name, offset, length, rid, what):
        a = self._need_active(rid, what)
        views = self._buffer_views()
        if name not in views:
            raise ProtocolError("UNKNOWN_BUFFER", "no buffer %r (buffers: %s)" % (name[:64], ", ".join(sorted(views))), rid)
        start, size = views[name]
        if offset + length > size:
            raise ProtocolError("BAD_RANGE", "[%d, %d) is outside buffer %s of %d bytes" % (offset, offset + length, name, size), rid)
        return a, start

    def buffer_read(self, name, offset, length, rid):
        with self.lock:
            a, start = self._view(name, offset, length, rid, "BUFFER_READ")
            a.image.invalidate()
            return a.image.read(start + offset, length)

    def buffer_write(self, name, offset, data, rid):
        with self.lock:
            a, start = self._view(name, offset, len(data), rid, "BUFFER_WRITE")
            a.image.write(start + offset, data)
            a.image.flush()
