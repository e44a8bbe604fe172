#!/usr/bin/env bash
# The access key must never appear in output, even at -vvvv, whatever the module does:
# trigger, wait, check mode, errors from the controller, a wrong key.
set -eux

config="$(dirname "$0")/../../integration_config.yml"
key=$(sed -n 's/^leapwork_access_key: //p' "$config")
test -n "$key"

# A secret flow variable's value: sent to the controller, never in the output, ledger or JUnit.
set +x  # not even this script's trace shows it
# Characters that every encoding changes: a space, '@', '!', '"', '/', a non-ASCII letter; and a
# random GUID, which must not shield the secret around it (ids are kept whole only against a
# secret found inside one).
secret="p@ss w0rd!\"/é-$(cat /proc/sys/kernel/random/uuid)"
export LEAPWORK_TEST_SECRET_VALUE="$secret"
set -x
files="${OUTPUT_DIR:-/tmp}/secret-files"
rm -rf "$files" && mkdir -m 0700 "$files"
export LEAPWORK_TEST_SECRET_FILES="$files"

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
# ... and no secret flow variable value either, in the output or in any file written.
grep -q "Password=\*\*\*\*\*\*\*\*" "${OUTPUT_DIR:-/tmp}/vvvv.log"
test -s "$files/ledger.json" && test -s "$files/junit.xml" && test -s "$files/role-junit.xml"
test -s "$files/echo-junit.xml"
# Nor in any form a controller, a proxy or a flow's log may echo it in (issue 19): URL-encoded
# (%20 and +), JSON-escaped (ASCII or not), HTML-escaped. Each form is one line of forms.txt.
set +x
python3 - "$secret" > "$files.forms" <<'PYTHON'
import html, json, sys
from urllib.parse import quote, quote_plus
secret = sys.argv[1]
forms = {secret, quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret), json.dumps(secret)[1:-1],
         json.dumps(secret, ensure_ascii=False)[1:-1], html.escape(secret)}
print("\n".join(sorted(forms)))
PYTHON
test "$(wc -l < "$files.forms")" -ge 6
if grep -rqF -f "$files.forms" "${OUTPUT_DIR:-/tmp}/vvvv.log" "$files"; then
    echo "a secret variable value leaked (raw, URL-encoded, JSON- or HTML-escaped)" >&2
    exit 1
fi
set -x
