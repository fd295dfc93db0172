"""A small .hwh reader for the agent: the register ranges (MEMTYPE="REGISTER" MEMRANGEs) that
MMIO may touch, the IP instances, and the PL clock. The full parser lives in host/hwh/ (TS).

Invariants: a DOCTYPE or ENTITY declaration, more than MAX_HWH_BYTES, or XML that does not
parse raises ValueError (the caller maps it to BAD_ARTIFACT); an access is allowed only when
[addr, addr + length) lies inside ONE register range.
"""

import io
import re
import xml.etree.ElementTree as ET

MAX_HWH_BYTES = 64 * 1024 * 1024
_NUM = re.compile(r"\A(0[xX][0-9A-Fa-f]+|[0-9]+)\Z")


def _num(text, what):
    t = (text or "").strip()
    if not _NUM.match(t):
        raise ValueError("%s is %r, not a number" % (what, t))
    return int(t, 0) if t[:2].lower() == "0x" else int(t, 10)


class HwhInfo:
    def __init__(self, ranges, modules, clocks_mhz, port_clocks):
        self.ranges = ranges            # [(base, high, slave_instance, slave_interface)]
        self.modules = modules          # {instance: {"vlnv", "type", "version"}}
        self.clocks_mhz = clocks_mhz    # {pl_index: actual MHz} of enabled PL clocks
        self.port_clocks = port_clocks  # {(instance, port): Hz}

    def mmio_allowed(self, addr, length):
        if not isinstance(addr, int) or not isinstance(length, int) or addr < 0 or length <= 0:
            return False
        last = addr + length - 1
        return any(base <= addr and last <= high for base, high, _, _ in self.ranges)

    def range_of(self, instance):
        for r in self.ranges:
            if r[2] == instance:
                return r
        return None

    def find_engine(self, names=("cnna",)):
        """The instance whose MODTYPE or VLNV names the engine, with a register range."""
        for inst, m in sorted(self.modules.items()):
            vlnv_name = m["vlnv"].split(":")[2] if m["vlnv"].count(":") == 3 else ""
            if (m["type"] in names or vlnv_name in names or inst in names) and self.range_of(inst):
                return inst
        return None

    def clock_hz_of(self, instance):
        hz = [v for (inst, _), v in sorted(self.port_clocks.items()) if inst == instance]
        if hz:
            return hz[0]
        if 0 in self.clocks_mhz:
            return int(round(self.clocks_mhz[0] * 1e6))
        return None


def parse_hwh(data):
    if len(data) > MAX_HWH_BYTES:
        raise ValueError("the .hwh is %d bytes, above the %d-byte limit" % (len(data), MAX_HWH_BYTES))
    head = bytes(data[:4096]).upper()
    if b"<!DOCTYPE" in bytes(data).upper() or b"<!ENTITY" in head:
        raise ValueError("the .hwh holds a DOCTYPE/ENTITY declaration, which is not accepted")
    try:
        root = ET.parse(io.BytesIO(bytes(data))).getroot()
    except ET.ParseError as e:
        raise ValueError("the .hwh is not well-formed XML: %s" % e) from None
    if root.tag != "EDKSYSTEM":
        raise ValueError("the .hwh root is <%s>, not <EDKSYSTEM>" % root.tag)
    modules = {}
    ranges = []
    clocks = {}
    port_clocks = {}
    mods = root.find("MODULES")
    if mods is None:
        raise ValueError("the .hwh has no <MODULES> section")
    for m in mods.findall("MODULE"):
        inst = m.get("INSTANCE", "")
        modules[inst] = {"vlnv": m.get("VLNV", ""), "type": m.get("MODTYPE", ""), "version": m.get("HWVERSION", "")}
        prm = m.find("PARAMETERS")
        ch = [q.get("VALUE", "") for q in (prm.findall("PARAMETER") if prm is not None else []) if q.get("NAME") == "CONFIG_HASH"]
        # the config the engine was built for, when the overlay states it (docs/protocol.md 4.3)
        modules[inst]["config_hash"] = ch[0].lower().replace("0x", "", 1) if ch and ch[0] else None
        mm = m.find("MEMORYMAP")
        for r in (mm.findall("MEMRANGE") if mm is not None else []):
            if r.get("MEMTYPE", "").upper() != "REGISTER":
                continue
            base = _num(r.get("BASEVALUE"), "MEMRANGE BASEVALUE of " + r.get("INSTANCE", "?"))
            high = _num(r.get("HIGHVALUE"), "MEMRANGE HIGHVALUE of " + r.get("INSTANCE", "?"))
            if high < base:
                raise ValueError("MEMRANGE of %s has HIGHVALUE below BASEVALUE" % r.get("INSTANCE", "?"))
            ranges.append((base, high, r.get("INSTANCE", ""), r.get("SLAVEBUSINTERFACE", "")))
        ports = m.find("PORTS")
        for p in (ports.findall("PORT") if ports is not None else []):
            if p.get("CLKFREQUENCY"):
                port_clocks[(inst, p.get("NAME", ""))] = _num(p.get("CLKFREQUENCY"), "CLKFREQUENCY of %s" % inst)
        params = m.find("PARAMETERS")
        if params is not None and m.get("MODTYPE") in ("zynq_ultra_ps_e", "processing_system7"):
            pv = {p.get("NAME"): p.get("VALUE", "") for p in params.findall("PARAMETER")}
            for i in range(4):
                if m.get("MODTYPE") == "zynq_ultra_ps_e":
                    en, act = "PSU__FPGA_PL%d_ENABLE" % i, "PSU__CRL_APB__PL%d_REF_CTRL__ACT_FREQMHZ" % i
                else:
                    en, act = "PCW_FPGA_FCLK%d_ENABLE" % i, "PCW_ACT_FPGA%d_PERIPHERAL_FREQMHZ" % i
                if pv.get(en) in ("1", "TRUE", "true") and pv.get(act):
                    try:
                        clocks[i] = float(pv[act])
                    except ValueError:
                        raise ValueError("%s is %r, not a number" % (act, pv[act])) from None
    return HwhInfo(ranges, modules, clocks, port_clocks)
