"""Offline stand-in for ansible-test's pip bootstrap script (get-pip.py).

ansible-test bootstraps pip into each virtual environment it creates with a
script it downloads from ci-files.testing.ansible.com and caches as
``~/.ansible/test/cache/get_pip_<version>.py``. Machines that reach the
package index but not that host (air-gapped CI, proxies) cannot download it.

This script does the same job with what every CPython already ships: it runs
the pip wheel bundled with ``ensurepip`` and asks it to install the packages
ansible-test requested (``pip==X.Y`` and friends) from the configured index.
``hacking/seed_ansible_test_cache.py`` copies it into place for each pip
version that the installed ansible-test pins.
"""

import glob
import os
import sys

import ensurepip

# get-pip.py options that pip itself does not know.
GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")


def main():
    bundled = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")))
    if not bundled:
        sys.exit("ensurepip has no bundled pip wheel in this Python; cannot bootstrap pip")
    sys.path.insert(0, bundled[-1])
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    sys.exit(pip_main(["install", "--upgrade", "--force-reinstall"] + args))


if __name__ == "__main__":
    main()
