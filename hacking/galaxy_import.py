"""Run galaxy-importer on a built collection tarball and fail on any finding.

galaxy-importer logs lint findings as warnings and still "succeeds"; Galaxy
and Automation Hub show those findings to users, so we treat every warning
or error it logs as a failure.

    python hacking/galaxy_import.py build/dist/leapops-leapwork-1.0.0.tar.gz
"""

import json
import logging
import os
import posixpath
import sys
import tarfile
import tempfile

CONFIG = """[galaxy-importer]
run_ansible_test = False
run_ansible_lint = True
offline_ansible_lint = True
run_ansible_doc = True
check_changelog = True
log_level_main = INFO
"""


class Findings(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tarball = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="galaxy-importer-") as workdir:
        config_path = os.path.join(workdir, "galaxy-importer.cfg")
        with open(config_path, "w", encoding="utf-8") as handle:
            handle.write(CONFIG)
        os.environ["GALAXY_IMPORTER_CONFIG"] = config_path
        os.chdir(workdir)
        from galaxy_importer import main as importer  # pylint: disable=import-outside-toplevel

        findings = Findings()
        logging.getLogger("galaxy_importer").addHandler(findings)
        status = importer.main([tarball])
        listed = listed_contents(os.path.join(workdir, "importer_result.json"))
    if status or findings.records:
        for record in findings.records:
            print("galaxy-importer finding: %s: %s" % (record.levelname, record.getMessage()))
        sys.exit("galaxy-importer reported %d finding(s) (exit %s)" % (len(findings.records), status))
    missing = sorted(set(extensions_in(tarball)) - set(listed))
    if missing:
        sys.exit("galaxy-importer does not list %s in the collection's contents (meta/extensions.yml?)"
                 % ", ".join("%s %s" % pair for pair in missing))
    print("galaxy-importer contents: %s" % ", ".join("%s %s" % pair for pair in sorted(listed)))
    print("galaxy-importer: clean")


def listed_contents(result_path):
    """``(content_type, name)`` of every content the importer lists (its importer_result.json)."""
    if not os.path.exists(result_path):
        return []
    with open(result_path, encoding="utf-8") as handle:
        result = json.load(handle)
    return [(content["content_type"], content["name"]) for content in result.get("contents") or ()]


def extensions_in(tarball):
    """``(content_type, name)`` the importer must list for the EDA plugins of the tarball."""
    with tarfile.open(tarball) as archive:
        for name in archive.getnames():
            directory, filename = posixpath.split(name)
            if directory.startswith("extensions/eda/plugins/") and filename.endswith(".py"):
                yield directory[len("extensions/"):], filename[:-len(".py")]


if __name__ == "__main__":
    main()
