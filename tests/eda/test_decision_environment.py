# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""decision-environment.yml gives a build context with ansible-rulebook, Java, this collection and
the collection's requirements (``make de``). No container engine here: the context is checked."""

import os
import re
import subprocess
import sys
import tarfile

import pytest
import yaml

from conftest import ROOT

BIN = os.path.dirname(sys.executable)


def pinned(package):
    """The version ``package`` is pinned to in requirements-dev.txt (what `make test` tests)."""
    with open(os.path.join(ROOT, "requirements-dev.txt"), encoding="utf-8") as handle:
        found = re.findall(r"^%s==([0-9][^;\s]*)" % re.escape(package), handle.read(), flags=re.M)
    assert found, package
    return found[0]


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """``make de`` in a scratch directory: the collection built, then the build context written."""
    work = tmp_path_factory.mktemp("de")
    staged = os.path.join(os.environ["ANSIBLE_COLLECTIONS_PATH"], "ansible_collections", "leapops", "leapwork")
    os.makedirs(work / "build" / "de")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(work / "build" / "de"), staged],
                   check=True, capture_output=True)
    (built,) = (work / "build" / "de").glob("leapops-leapwork-*.tar.gz")
    built.rename(work / "build" / "de" / "leapops-leapwork.tar.gz")
    with open(os.path.join(ROOT, "decision-environment.yml"), encoding="utf-8") as handle:
        (work / "decision-environment.yml").write_text(handle.read())
    subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "--file", "decision-environment.yml", "--context", "context",
                    "--output-filename", "Containerfile"], cwd=str(work), check=True, capture_output=True)
    return work / "context"


def test_the_context_has_the_collection_with_its_event_source(context):
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements == {"collections": [{"name": "collections/leapops-leapwork.tar.gz", "type": "file"}]}
    with tarfile.open(context / "_build" / "collections" / "leapops-leapwork.tar.gz") as archive:
        names = archive.getnames()
    assert "extensions/eda/plugins/event_source/run_events.py" in names
    # what introspection reads in the image build: the collection's Python requirements (requests)
    assert "meta/execution-environment.yml" in names and "requirements.txt" in names


def test_the_image_gets_the_tested_rulebook_core_runner_and_java(context):
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile and "introspect.py introspect" in containerfile
    assert 'ANSIBLE_INSTALL_REFS="ansible-core==%s ansible-runner==%s"' % (pinned("ansible-core"), pinned("ansible-runner")) in containerfile
    python = (context / "_build" / "requirements.txt").read_text().split()
    assert python == ["ansible-rulebook==%s" % pinned("ansible-rulebook")]
    system = (context / "_build" / "bindep.txt").read_text().splitlines()
    assert system == ["java-17-openjdk-headless [platform:rpm]"]
