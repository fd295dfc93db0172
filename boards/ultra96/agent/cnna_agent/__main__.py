"""Command line: python3 -m cnna_agent --token-file F --cache DIR (--tcp [HOST:]PORT | --serial PATH) [--hw pynq|fake]

Starts the board agent. The pairing token comes from --token-file, $CNNA_BOARD_TOKEN or --token
(in that order of preference; --token shows in `ps`). It restores the active deployment
recorded in the cache, then serves until killed.
"""

import argparse
import os
import sys
import threading

from . import AGENT_NAME
from .cache import ContentCache
from .deploy import Deployer
from .server import TcpServer, check_bind_host, serve_serial
from .session import Agent, Limits


def parse_args(argv):
    p = argparse.ArgumentParser(prog="cnna_agent", description="cnna PYNQ board agent (" + AGENT_NAME + ")")
    p.add_argument("--cache", required=True, help="cache directory; the agent writes nowhere else")
    p.add_argument("--token", help="pairing token (prefer --token-file or CNNA_BOARD_TOKEN)")
    p.add_argument("--token-file", help="file holding the pairing token")
    p.add_argument("--tcp", help="[HOST:]PORT to listen on (default host 127.0.0.1; 192.168.3.1 = usb0)")
    p.add_argument("--serial", help="serial device (e.g. /dev/ttyGS0) or pty path")
    p.add_argument("--baud", type=int, default=3000000)
    p.add_argument("--hw", choices=("pynq", "fake"), default="pynq")
    p.add_argument("--driver", default=os.environ.get("CNNA_OVERLAY_DRIVER"),
                   help="the pynq/ folder cnna overlay wrote: load overlays with its CnnaOverlay (PYNQ binds its engine driver)")
    p.add_argument("--fake-engine", help="with --hw fake: a command that runs the descriptors on a DDR image file "
                   "(tests: the TypeScript engine model)")
    p.add_argument("--max-frame", type=int, default=1048576)
    p.add_argument("--max-upload", type=int, default=536870912)
    p.add_argument("--allow-any-interface", action="store_true")
    p.add_argument("--no-fsync", action="store_true", help="skip fsync (tests on slow disks only)")
    a = p.parse_args(argv)
    if not a.tcp and not a.serial:
        p.error("give --tcp and/or --serial")
    return a


def read_token(a):
    if a.token_file:
        with open(a.token_file, "r", encoding="utf-8") as f:
            return f.read().strip()
    return os.environ.get("CNNA_BOARD_TOKEN") or a.token or ""


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    token = read_token(a)
    if len(token) < 8:
        print("cnna_agent: a pairing token of at least 8 characters is required (--token-file, CNNA_BOARD_TOKEN)",
              file=sys.stderr)
        return 2
    from .overlay_driver import describe, find_installed, load_driver
    try:
        driver = load_driver(a.driver) if a.driver else find_installed()
    except ValueError as e:
        print("cnna_agent: --driver: %s" % e, file=sys.stderr)
        return 2
    if driver is not None:
        print("cnna_agent: overlay driver " + describe(driver), file=sys.stderr, flush=True)
    if a.hw == "pynq":
        from .hw_pynq import PynqHardware
        hw = PynqHardware(driver=driver)
    else:
        import shlex

        from .hw_fake import FakeHardware, external_engine, header_engine
        model = header_engine
        if a.fake_engine:
            model = external_engine(shlex.split(a.fake_engine), os.path.join(os.path.realpath(a.cache), "fake-engine"))
        hw = FakeHardware(engine_model=model)
    log = lambda m: print("cnna_agent: " + m, file=sys.stderr, flush=True)  # noqa: E731
    cache = ContentCache(a.cache, a.max_upload, fsync=not a.no_fsync)
    deployer = Deployer(hw, cache, log)
    agent = Agent(hw, cache, deployer, token)
    if deployer.restore():
        log("restored deployment %s" % deployer.active_record()["deployId"])
    threads = []
    if a.tcp:
        host, _, port = a.tcp.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        try:
            check_bind_host(host, a.allow_any_interface)
        except ValueError as e:
            print("cnna_agent: %s" % e, file=sys.stderr)
            return 2
        srv = TcpServer(agent, Limits(a.max_frame, a.max_upload, 65536), host, int(port), a.allow_any_interface).start()
        print("cnna_agent: listening on %s:%d" % (host, srv.port), flush=True)
        threads.append(srv.thread)
    if a.serial:
        t = threading.Thread(target=serve_serial, args=(agent, Limits(a.max_frame, a.max_upload, 4096), a.serial, a.baud),
                             daemon=True)
        t.start()
        print("cnna_agent: serving serial %s at %d baud" % (a.serial, a.baud), flush=True)
        threads.append(t)
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
