#!/usr/bin/env bash
# Builds what the main job needs and runs it on the bundled sample events, writing into the
# embedded store (./connect-rt.db), then prints what was written.
#
#   1. adds the wasm32-wasip2 Rust target if it is missing;
#   2. builds the three shipped transforms for wasm32-wasip2 and the host;
#   3. precompiles the transforms (x.wasm -> x.cwasm), as a deployment does;
#   4. replays fixtures/samples and fixtures/snapshots with event times shifted to now;
#   5. shows the rows of every table.
#
# Builds go where cargo puts them: $CARGO_TARGET_DIR when set (a relative one is taken from the
# folder the script was started in, as cargo would), else target/ in the repository.
set -euo pipefail
if [[ -n "${CARGO_TARGET_DIR:-}" && "$CARGO_TARGET_DIR" != /* ]]; then
  CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
fi
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then export CARGO_TARGET_DIR; fi

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  rustup target add wasm32-wasip2
fi

cargo build --release --target wasm32-wasip2 \
  -p agent-events-transform -p contact-events-transform -p instance-data-transform
cargo build -p connect-rt --bin connect-rt

bin=$target_dir/debug/connect-rt
transforms=("$target_dir"/wasm32-wasip2/release/{agent_events,contact_events,instance_data}_transform.wasm)
"$bin" precompile "${transforms[@]}"

store=${STORE:-connect-rt.db}
rm -f "$store" "${store%.db}.dead-letters.jsonl"
args=()
for t in "${transforms[@]}"; do args+=(--transform "${t%.wasm}.cwasm"); done
"$bin" replay fixtures/samples fixtures/snapshots --shift-to-now --store "$store" "${args[@]}"

echo
"$bin" show --store "$store" --limit 3
