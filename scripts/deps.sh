#!/usr/bin/env bash
# Installs the Debian 12 packages sluice builds and tests with. Idempotent:
# does nothing when everything is already installed. Uses sudo when not root.
set -euo pipefail
PACKAGES=(
  cmake ninja-build pkg-config g++ ccache
  libboost-dev libboost-program-options-dev
  libssl-dev
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc
  libprotobuf-dev libprotoc-dev protobuf-compiler
  libleveldb-dev libsnappy-dev librocksdb-dev
  nats-server libnats-dev
  libsimdjson-dev libyaml-cpp-dev libssl-dev
  libgtest-dev libgmock-dev libsqlite3-dev
  python3 python3-grpcio python3-protobuf python3-jwt openssl curl
  clang clang-format libclang-rt-14-dev
  libpq-dev postgresql-15 postgresql-client-15
  python3-websocket
  chromium chromium-driver python3-selenium
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
