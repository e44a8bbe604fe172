"""Copy the collection's files into ``<dest>/ansible_collections/leapops/leapwork``.

ansible-test and antsibull-docs must run from inside an ``ansible_collections``
tree. The copy holds exactly the files git knows about (tracked, or new and not
ignored), so generated folders never leak into what is tested.

    python hacking/stage_collection.py build/collections
"""

import os
import shutil
import subprocess
import sys


def collection_files(root):
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, check=True, capture_output=True,
        ).stdout.decode("utf-8")
        return [name for name in listing.split("\0") if name and os.path.isfile(os.path.join(root, name))]
    except (OSError, subprocess.CalledProcessError):
        sys.exit("stage_collection: this must run inside the git checkout of the collection")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    target = os.path.join(os.path.abspath(sys.argv[1]), "ansible_collections", "leapops", "leapwork")
    if os.path.exists(target):
        shutil.rmtree(target)
    for name in collection_files(root):
        destination = os.path.join(target, name)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copy2(os.path.join(root, name), destination)
    print(target)


if __name__ == "__main__":
    main()
