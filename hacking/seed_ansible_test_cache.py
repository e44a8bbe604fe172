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

#: How ansible-test writes its pip pin: ``pip='25.2'``.
PIP_PIN = r"""pip\s*=\s*['"]([0-9.]+)['"]"""


def pinned_pip_versions():
    """The pip versions ansible-test pins, read from its (private) source with a regex.

    That file is not an API: when it moves or the pin is written another way, fail with a
    message that names the file, so the pattern can be mended instead of guessed at.
    """
    import ansible_test  # pylint: disable=import-outside-toplevel

    # ansible-test pins pip in get_venv_packages(): default_packages = dict(pip='25.2', ...)
    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    try:
        with open(source, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        sys.exit("cannot read %s to find the pip version ansible-test pins: %s" % (source, exc))
    versions = set(re.findall(PIP_PIN, text))
    if not versions:
        sys.exit("no pip pin matching %r in %s: ansible-test changed how it pins pip; update PIP_PIN in %s"
                 % (PIP_PIN, source, os.path.abspath(__file__)))
    return versions


def main():
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "get_pip.py")
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    versions = pinned_pip_versions() | set(sys.argv[1:])
    for version in sorted(versions):
        target = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
        if not os.path.exists(target):
            shutil.copyfile(source, target)
        print("pip %s bootstrap: %s" % (version, target))


if __name__ == "__main__":
    main()
