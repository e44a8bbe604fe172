#!/bin/sh
# Print the newest usable Python for the tool virtualenv: 3.13, then 3.12, then python3.
# pyenv shims exist for versions that are not active and fail when run, so every
# candidate is actually executed before it is chosen.
for candidate in python3.13 /root/.pyenv/versions/3.13*/bin/python3 \
                 python3.12 /root/.pyenv/versions/3.12*/bin/python3 python3; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if "$path" -c 'import sys, venv' >/dev/null 2>&1; then
        "$path" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done
echo "no usable python3 found" >&2
exit 1
