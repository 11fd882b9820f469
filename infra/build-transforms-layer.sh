#!/usr/bin/env bash
# Builds the transforms layer: a zip whose transforms/ folder holds one precompiled component
# (*.cwasm) per transform. Lambda unpacks a layer into /opt, so the function finds them in
# /opt/transforms (its TRANSFORMS_DIR).
#
#   infra/build-transforms-layer.sh [PACKAGE...]
#
#   1. builds each guest package (default: the three shipped transforms) for wasm32-wasip2;
#   2. builds the host's command line, whose wasmtime must be the one in the deployed
#      `bootstrap` (an artifact only loads into the wasmtime version and settings that made it);
#   3. precompiles every component for the function's architecture (`connect-rt precompile
#      --target aarch64-unknown-linux-gnu`), naming each after its package without
#      "-transform" (agent-events.cwasm, ...);
#   4. zips transforms/*.cwasm into <target dir>/lambda/transforms-layer.zip.
#
# <target dir> is where cargo builds: $CARGO_TARGET_DIR when set (a relative one is taken from
# the folder the script was started in, as cargo would), else target/ in the repository.
# Environment: LAYER_TARGET (default aarch64-unknown-linux-gnu, the arm64 Lambda), LAYER_ZIP
# (default <target dir>/lambda/transforms-layer.zip), CONNECT_RT (a connect-rt binary to use
# instead of building <target dir>/debug/connect-rt).
#
# Publishing and switching the function to the new layer: see infra/README.md.
set -euo pipefail
if [[ -n "${CARGO_TARGET_DIR:-}" && "$CARGO_TARGET_DIR" != /* ]]; then
  CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
fi
if [[ -n "${LAYER_ZIP:-}" && "$LAYER_ZIP" != /* ]]; then LAYER_ZIP="$PWD/$LAYER_ZIP"; fi
if [[ -n "${CONNECT_RT:-}" && "$CONNECT_RT" == */* && "$CONNECT_RT" != /* ]]; then
  CONNECT_RT="$PWD/$CONNECT_RT"
fi
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then export CARGO_TARGET_DIR; fi

target=${LAYER_TARGET:-aarch64-unknown-linux-gnu}
zip_path=${LAYER_ZIP:-$target_dir/lambda/transforms-layer.zip}
packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
  packages=(agent-events-transform contact-events-transform instance-data-transform)
fi

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  rustup target add wasm32-wasip2
fi

package_args=()
for package in "${packages[@]}"; do package_args+=(-p "$package"); done
cargo build --release --target wasm32-wasip2 "${package_args[@]}"

connect_rt=${CONNECT_RT:-}
if [ -z "$connect_rt" ]; then
  cargo build -p connect-rt --bin connect-rt
  connect_rt=$target_dir/debug/connect-rt
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/transforms"
for package in "${packages[@]}"; do
  cp "$target_dir/wasm32-wasip2/release/${package//-/_}.wasm" \
    "$staging/transforms/${package%-transform}.wasm"
done

if ! "$connect_rt" precompile --target "$target" "$staging"/transforms/*.wasm; then
  cat >&2 <<EOF
precompiling for $target failed. If the error says "Support for this target is disabled",
this connect-rt was built without wasmtime's "all-arch" feature, which the workspace turns on:
rebuild it from this tree (unset CONNECT_RT), or run this script on an $target machine.
EOF
  exit 1
fi
rm "$staging"/transforms/*.wasm

mkdir -p "$(dirname "$zip_path")"
zip_path=$(cd "$(dirname "$zip_path")" && pwd)/$(basename "$zip_path")
rm -f "$zip_path"
(cd "$staging" && python3 -m zipfile -c "$zip_path" transforms)

echo "layer for $target: $zip_path"
python3 -m zipfile -l "$zip_path"
