#!/usr/bin/env bash
# Builds the deployable Lambda package and checks it the way Lambda will run it:
#   1. `cargo lambda build --release --arm64` writes <target dir>/lambda/bootstrap/bootstrap.zip
#      (<target dir>: $CARGO_TARGET_DIR when set, else target/);
#   2. the zip holds one executable, `bootstrap`, an arm64 ELF that needs no glibc newer than
#      provided.al2023's (2.34);
#   3. that very binary, under qemu-aarch64, answers the Lambda Runtime API test
#      (tests/tests/lambda_binary.rs) with transforms precompiled for arm64.
# Not part of scripts/test.sh: the arm64 release build alone takes ~10 minutes on two cores.
# Needs: cargo-lambda (`pip install cargo-lambda`, which brings Zig), the
# aarch64-unknown-linux-gnu Rust target, and for step 3 the Debian packages qemu-user and
# libc6-arm64-cross (`apt-get install qemu-user libc6-arm64-cross`).
set -euo pipefail
if [[ -n "${CARGO_TARGET_DIR:-}" && "$CARGO_TARGET_DIR" != /* ]]; then
  CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
fi
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then export CARGO_TARGET_DIR; fi

rustup target add aarch64-unknown-linux-gnu wasm32-wasip2 >/dev/null
command -v cargo-lambda >/dev/null || python3 -m pip install --quiet cargo-lambda

cargo lambda build --release --arm64 -p connect-rt --bin bootstrap --output-format zip
zip=$target_dir/lambda/bootstrap/bootstrap.zip

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$zip" "$work" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
if names != ["bootstrap"]:
    sys.exit(f"{sys.argv[1]}: expected exactly one entry, bootstrap; found {names}")
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
EOF
binary=$work/bootstrap
chmod +x "$binary"

kind=$(file -b "$binary")
case "$kind" in
  *"ARM aarch64"*) ;;
  *) echo "bootstrap is not an arm64 executable: $kind" >&2; exit 1 ;;
esac
newest_glibc=$(readelf -V "$binary" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1)
if [ "$(printf '%s\nGLIBC_2.34\n' "$newest_glibc" | sort -V | tail -n 1)" != "GLIBC_2.34" ]; then
  echo "bootstrap needs $newest_glibc; provided.al2023 has GLIBC_2.34" >&2
  exit 1
fi
echo "package: $zip, $(stat -c %s "$zip") bytes zipped, $(stat -c %s "$binary") bytes unzipped"
echo "bootstrap: $kind; newest glibc symbol $newest_glibc"

if ! command -v qemu-aarch64 >/dev/null || [ ! -d /usr/aarch64-linux-gnu ]; then
  echo "qemu-aarch64 or /usr/aarch64-linux-gnu missing: skipping the Runtime API run" >&2
  exit 0
fi
launcher=$work/run-bootstrap
cat >"$launcher" <<EOF
#!/bin/sh
exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$binary" "\$@"
EOF
chmod +x "$launcher"
CONNECT_RT_TEST_BOOTSTRAP=$launcher \
  CONNECT_RT_TEST_TRANSFORMS_TARGET=aarch64-unknown-linux-gnu \
  cargo test -p connect-rt-tests --test lambda_binary
