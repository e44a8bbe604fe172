#!/usr/bin/env bash
# The access key must never appear in output, even at -vvvv, whatever the module does:
# trigger, wait, check mode, errors from the controller, a wrong key.
set -eux

config="$(dirname "$0")/../../integration_config.yml"
key=$(sed -n 's/^leapwork_access_key: //p' "$config")
test -n "$key"

set +e
ansible-playbook -vvvv -i localhost, -e "@${config}" play.yml > "${OUTPUT_DIR:-/tmp}/vvvv.log" 2>&1
rc=$?
set -e
cat "${OUTPUT_DIR:-/tmp}/vvvv.log"
test "$rc" -eq 0
# The play ran the modules (so there was something to leak) ...
grep -q "AnsiballZ_flow_run" "${OUTPUT_DIR:-/tmp}/vvvv.log"
# ... and the key appears nowhere: not in arguments, results, URLs or tracebacks.
if grep -F -- "$key" "${OUTPUT_DIR:-/tmp}/vvvv.log"; then
    echo "the access key leaked into the output" >&2
    exit 1
fi
