#!/bin/sh
# Print the newest usable Python for the tool virtualenv: 3.13, then 3.12, then python3.
# pyenv shims exist for versions that are not active and fail when run, so every
# candidate is actually executed before it is chosen. pyenv's versions are found through
# `pyenv root` when pyenv is on the PATH, else in $PYENV_ROOT or ~/.pyenv if that exists.
pyenv_root=""
if command -v pyenv >/dev/null 2>&1; then
    pyenv_root=$(pyenv root 2>/dev/null)
fi
if [ -z "$pyenv_root" ] && [ -d "${PYENV_ROOT:-$HOME/.pyenv}" ]; then
    pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
fi
pyenv_versions=${pyenv_root:+$pyenv_root/versions}
for candidate in python3.13 ${pyenv_versions:+$pyenv_versions/3.13*/bin/python3} \
                 python3.12 ${pyenv_versions:+$pyenv_versions/3.12*/bin/python3} python3; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if "$path" -c 'import sys, venv' >/dev/null 2>&1; then
        "$path" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done
echo "no usable python3 found" >&2
exit 1
