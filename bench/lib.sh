# Shared by the benchmarks (sourced from the repository root): the tools they install where
# missing, the binary they measure, free ports.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sterk/target}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# need COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is missing.
need() {
  command -v "$1" >/dev/null ||
    { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }
}

# The binary to measure: $STERK_BIN when set (skips the build), else a release build of this tree.
sterk_bin() {
  if [ -n "${STERK_BIN:-}" ]; then
    echo "$STERK_BIN"
  else
    cargo build --release -q -p sterk && echo "$CARGO_TARGET_DIR/release/sterk"
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
