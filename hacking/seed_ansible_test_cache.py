"""Seed ansible-test's pip bootstrap cache with the offline stand-in.

Run with the Python that has ansible-core installed. It reads the pip version
that this ansible-test pins for its virtual environments and copies
``hacking/get_pip.py`` to ``~/.ansible/test/cache/get_pip_<version>.py``
(existing files are left alone), so ``ansible-test ... --venv`` never needs
to download the bootstrap script.

    python hacking/seed_ansible_test_cache.py [extra pip versions...]
"""

import os
import re
import shutil
import sys


def pinned_pip_versions():
    import ansible_test  # pylint: disable=import-outside-toplevel

    # ansible-test pins pip in get_venv_packages(): default_packages = dict(pip='25.2', ...)
    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        return set(re.findall(r"""pip\s*=\s*['"]([0-9.]+)['"]""", handle.read()))


def main():
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "get_pip.py")
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    versions = pinned_pip_versions() | set(sys.argv[1:])
    if not versions:
        sys.exit("could not find the pip version pinned by ansible-test")
    for version in sorted(versions):
        target = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
        if not os.path.exists(target):
            shutil.copyfile(source, target)
        print("pip %s bootstrap: %s" % (version, target))


if __name__ == "__main__":
    main()
