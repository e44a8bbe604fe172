#!/usr/bin/env bash
# Ctrl-C (SIGINT) and SIGTERM while flow_run waits, sent to the play's process group and to
# ansible-playbook alone: the wait ends at once, the run is stopped as stop_on_timeout says, and
# the ledger holds its id (interrupt.py).
set -eux
config="$(cd "$(dirname "$0")/../.." && pwd)/integration_config.yml"
test -s "$config"
python3 interrupt.py "$config" "${OUTPUT_DIR:-/tmp}"
