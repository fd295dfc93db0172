"""cnna PYNQ board agent: the board side of docs/protocol.md (serial and TCP)."""

AGENT_VERSION = "0.1.0"
AGENT_NAME = "cnna-pynq/" + AGENT_VERSION
