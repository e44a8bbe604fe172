"""Run galaxy-importer on a built collection tarball and fail on any finding.

galaxy-importer logs lint findings as warnings and still "succeeds"; Galaxy
and Automation Hub show those findings to users, so we treat every warning
or error it logs as a failure.

    python hacking/galaxy_import.py build/dist/leapops-leapwork-1.0.0.tar.gz
"""

import logging
import os
import sys
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
    if status or findings.records:
        for record in findings.records:
            print("galaxy-importer finding: %s: %s" % (record.levelname, record.getMessage()))
        sys.exit("galaxy-importer reported %d finding(s) (exit %s)" % (len(findings.records), status))
    print("galaxy-importer: clean")


if __name__ == "__main__":
    main()
