#!/usr/bin/env bash
# Offline validation of the deployment, no AWS account needed:
#   1. cfn-lint on infra/template.yaml (it expands the LanguageExtensions and SAM transforms
#      and checks every resource against CloudFormation's schemas);
#   2. infra/test_template.py, which checks the template against the host's own sources
#      (the variables config.rs reads, the Amazon Connect calls the collector makes, ...);
#   3. a syntax check of infra/build-transforms-layer.sh (building a layer needs cargo builds).
# Installs the pinned cfn-lint from PyPI when it is missing or another version.
set -euo pipefail
cd "$(dirname "$0")/.."

cfn_lint_version=1.51.0
installed=$(python3 -c 'import cfnlint.version as v; print(v.__version__)' 2>/dev/null || true)
if [ "$installed" != "$cfn_lint_version" ]; then
  python3 -m pip install --quiet "cfn-lint==$cfn_lint_version"
fi

echo "cfn-lint $cfn_lint_version: infra/template.yaml"
python3 -c 'import sys; from cfnlint.runner import main; sys.exit(main())' infra/template.yaml
echo "cfn-lint: no findings"

bash -n infra/build-transforms-layer.sh

python3 infra/test_template.py
