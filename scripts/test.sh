#!/usr/bin/env bash
# Runs every check and test: formatting, lints (host and wasm32 guests), the whole test
# suite, and the offline checks of the deployment template (cfn-lint and its tests). Installs what the tests need first: the wasm32-wasip2 target and moto's server
# (PyPI), which stands in for Amazon SQS on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  rustup target add wasm32-wasip2
fi
if ! python3 -c 'import moto.server' 2>/dev/null; then
  python3 -m pip install --quiet 'moto[server]'
fi

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --target wasm32-wasip2 \
  -p agent-events-transform -p contact-events-transform -p instance-data-transform \
  -p transform-kit -p fault-trap -p fault-spin -p fault-hog -p fault-flood -- -D warnings
cargo test --workspace
./infra/check.sh
