#!/usr/bin/env bash
# The verify_deployment role as deployments run it: several hosts (all local), handlers notified
# on some of them, `when`, failed hosts, --limit, --check and serial batches, against the emulator.
set -eux

config="$(cd "$(dirname "$0")/../.." && pwd)/integration_config.yml"
out="${OUTPUT_DIR:-$(mktemp -d)}"
export LEAPWORK_LEDGER_PATH="$out/ledger.json"
export ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default
play() { ansible-playbook -i inventory -e "@${config}" -e "output_dir=${out}" "$@"; }
runs() { play runs.yml -e "{\"expected_runs\": $1}"; }
# Plays expected to fail: the exit code, and the recap line of each host ("web1 ... failed=1").
play_failing() {
    local log="$out/failing.log"
    set +e
    play "$@" > "$log" 2>&1
    local rc=$?
    set -e
    cat "$log"
    test "$rc" -eq 2
    RECAP="$(sed -n '/^PLAY RECAP/,$p' "$log")"
}

# A handler notified on one of two hosts, then on the other.
play reset.yml
play handler.yml
runs '{"web1": 1, "web2": 1}'

# --check: every lookup and check, nothing started, outcome check_mode.
play reset.yml
play --check check.yml
runs '{"web1": 0, "web2": 0}'

# Hosts that failed earlier or are skipped by `when` contribute nothing.
play reset.yml
play_failing partial.yml
grep -E '^web1 .* failed=1' <<< "$RECAP"
grep -E '^web2 .* failed=0' <<< "$RECAP"
grep -E '^web3 .* failed=0' <<< "$RECAP"
runs '{"web1": 0, "web2": 1, "web3": 1}'

# The host that starts the runs of the batch fails: so does every host of the batch.
play reset.yml
play leader_fails.yml
runs '{"web1": 0, "web2": 0}'

# --limit to one host, then the same with --check (the run is reused, nothing starts).
play reset.yml
play --limit web2 limit.yml
runs '{"web1": 0, "web2": 1, "web3": 0, "web4": 0}'
play --limit web2 --check limit.yml
runs '{"web1": 0, "web2": 1, "web3": 0, "web4": 0}'

# serial: 1 over three hosts: web1 passes, web2's flow fails and stops the rollout, web3 is
# never deployed. The re-run reuses both runs (the emulator's counts do not move) and stops again.
play reset.yml
rm -f "$out"/deployed-web*
play_failing serial.yml
grep -E '^web1 .* failed=0' <<< "$RECAP"
grep -E '^web2 .* failed=1' <<< "$RECAP"
if grep -E '^web3 ' <<< "$RECAP"; then echo "web3 should not have been deployed" >&2; exit 1; fi
test -f "$out/deployed-web1" && test -f "$out/deployed-web2" && test ! -e "$out/deployed-web3"
runs '{"web1": 1, "web2": 1, "web3": 0}'
play_failing serial.yml
grep -E '^web2 .* failed=1' <<< "$RECAP"
test ! -e "$out/deployed-web3"
runs '{"web1": 1, "web2": 1, "web3": 0}'

# serial: 50% of four hosts: one run per batch, reused by the re-run.
play reset.yml
play batches.yml
runs '{"web1+web2": 1, "web3+web4": 1}'
play batches.yml
runs '{"web1+web2": 1, "web3+web4": 1}'

# The role README's examples, as written (each marked <!-- example: NAME passes|fails -->), on the
# four hosts, with the connection from the environment as `make demo` gives it; each passing
# example again with --check, which must start nothing.
# The README of the collection under test (ansible-test copies only the tests next to this script).
readme="$(ansible-galaxy collection list leapops.leapwork --format json | "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}" -c '
import json, sys
print(json.load(sys.stdin).popitem()[0])')/leapops/leapwork/roles/verify_deployment/README.md"
test -f "$readme"
examples="$out/readme-examples"
rm -rf "$examples" && mkdir -p "$examples"
"${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}" - "$readme" "$examples" <<'PYTHON'
import re
import sys

readme, directory = sys.argv[1:]
text = open(readme, encoding="utf-8").read()
found = re.findall(r"<!-- example: (\w+) (passes|fails)(?:, (\d+) runs? per host)? -->\n```yaml\n(.*?)```", text, re.S)
assert len(found) >= 4, found
for name, expected, runs, body in found:
    with open("%s/%s.%s.%s.yml" % (directory, name, expected, runs or 0), "w", encoding="utf-8") as handle:
        handle.write(body)
PYTHON
LEAPWORK_CONTROLLER_URL="$(sed -n 's/^leapwork_controller_url: //p' "$config")"
LEAPWORK_ACCESS_KEY="$(sed -n 's/^leapwork_access_key: //p' "$config")"
export LEAPWORK_CONTROLLER_URL LEAPWORK_ACCESS_KEY
for example in "$examples"/*.yml; do
    n="${example%.yml}"; n="${n##*.}"
    play reset.yml
    rm -f /tmp/shop-web[1-4].version /tmp/shop-web[1-4].release  # what the examples deploy
    case "$example" in
        *.passes.*)
            play "$example"
            runs "{\"web1\": $n, \"web2\": $n, \"web3\": $n, \"web4\": $n}"
            play reset.yml
            rm -f /tmp/shop-web[1-4].version /tmp/shop-web[1-4].release
            play --check "$example"
            runs '{"web1": 0, "web2": 0, "web3": 0, "web4": 0}'
            ;;
        *.fails.*)
            play_failing "$example"
            grep -F "Checkout fails on Windows agent 1: failed (Failed" "$out/failing.log"
            for host in web1 web2 web3 web4; do grep -E "^$host .* failed=1" <<< "$RECAP"; done
            ;;
    esac
done
rm -f /tmp/shop-web[1-4].version /tmp/shop-web[1-4].release
