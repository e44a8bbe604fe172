#!/usr/bin/env bash
# The verify_deployment role with an agent pool and re-runs (verify_deployment_agents,
# verify_deployment_retries, verify_deployment_fail_on_flaky) on several hosts (all local), against
# the emulator: flow_run waits on the pool, a flaky flow, a re-run of the play, --check, serial and
# handlers, and bad input.
set -eux

config="$(cd "$(dirname "$0")/../.." && pwd)/integration_config.yml"
out="${OUTPUT_DIR:-$(mktemp -d)}"
export LEAPWORK_LEDGER_PATH="$out/ledger.json"
export ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default
play() { ansible-playbook -i inventory -e "@${config}" -e "output_dir=${out}" "$@"; }
count() { play count.yml -e "expected_total=$1"; }
runs() { play runs.yml -e "{\"expected_runs\": $1}"; }
# A warning as it was printed, whatever the width it was wrapped to.
warned() { tr '\n' ' ' < "$out/play.log" | tr -s ' ' | grep -qF "$1"; }

# A pool with an offline agent and a flow that passes on its second attempt: flaky, passes, warns.
# 5 runs: the flaky flow twice, "Pool short 2" once for both hosts, web2's two other flows.
play reset.yml
play pool.yml > "$out/play.log" 2>&1 || { cat "$out/play.log"; exit 1; }
cat "$out/play.log"
warned "agents: 1 of the pool's 3 agents left out, the flows go to the others: agent 'Pool agent offline'"
warned "Pool flaky on Pool agent"
warned "is flaky: it passed on attempt 2 of 2; attempt 1 of 2 on Pool agent"
count 5
# The same play again, same idempotency key: every run (both attempts) reused, nothing started.
play pool.yml -e expect_reused=true
count 5

# verify_deployment_fail_on_flaky fails the host that asks for it.
play reset.yml
play fail_on_flaky.yml
count 2

# --check with a pool: the statuses are read and the flows dealt, nothing starts.
play reset.yml
play --check check.yml
count 0

# serial: 1 with the handler, over a pool: each changed host's batch gets its own run, reused by
# the re-run of the play.
play reset.yml
play serial.yml
runs '{"web1": 1, "web2": 0, "web3": 1}'
play serial.yml
runs '{"web1": 1, "web2": 0, "web3": 1}'

# Next to a schedule, and without waiting, a pool's flows are dealt up front: 2 + 1 + 2 runs.
play reset.yml
play up_front.yml
count 5

# Bad input: a clear error before anything starts.
play reset.yml
play bad_input.yml
count 0
