# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""execution-environment.yml gives a build context with this collection and its requirements.

No container engine here: the context ``ansible-builder create`` writes is checked instead, and
``ansible-builder introspect`` is run on the collection as the image build runs it.
"""

import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from conftest import ROOT

BIN = os.path.dirname(sys.executable)


def ansible_builder(*args, cwd=None):
    return subprocess.run([os.path.join(BIN, "ansible-builder")] + list(args), cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """``make ee`` in a scratch directory: the collection built, then the build context written."""
    work = tmp_path_factory.mktemp("ee")
    staged = os.path.join(os.environ["ANSIBLE_COLLECTIONS_PATH"], "ansible_collections", "leapops", "leapwork")
    os.makedirs(work / "build" / "ee")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(work / "build" / "ee"), staged],
                   check=True, capture_output=True)
    (built,) = (work / "build" / "ee").glob("leapops-leapwork-*.tar.gz")
    built.rename(work / "build" / "ee" / "leapops-leapwork.tar.gz")
    shutil.copy(os.path.join(ROOT, "execution-environment.yml"), work / "execution-environment.yml")
    ansible_builder("create", "--file", "execution-environment.yml", "--context", "context", "--output-filename", "Containerfile", cwd=str(work))
    return work / "context"


def pinned(requirements_text, package):
    """The versions ``package`` is pinned to (==) in a requirements text."""
    return re.findall(r"^%s==([0-9][^;\s]*)" % re.escape(package), requirements_text, flags=re.M)


def test_the_collection_is_in_the_context_with_what_introspection_needs(context, tmp_path):
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements == {"collections": [{"name": "collections/leapops-leapwork.tar.gz", "type": "file"}]}
    tarball = context / "_build" / "collections" / "leapops-leapwork.tar.gz"
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
        assert "meta/execution-environment.yml" in names
        assert "requirements.txt" in names
        assert "plugins/modules/flow_run.py" in names
        assert "roles/verify_deployment/tasks/main.yml" in names
        # What the image build does after installing the collection: introspect it.
        target = tmp_path / "collections" / "ansible_collections" / "leapops" / "leapwork"
        target.mkdir(parents=True)
        archive.extractall(target, filter="data")
    found = ansible_builder("introspect", "--sanitize", str(tmp_path / "collections"))
    python = yaml.safe_load(found)["python"]
    assert [line.split("#")[0].strip() for line in python if line.endswith("# from collection leapops.leapwork")] == ["requests>=2.25"]


def test_the_containerfile_installs_the_collection_and_the_tested_core(context):
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile
    assert "introspect.py introspect" in containerfile
    with open(os.path.join(ROOT, "requirements-dev.txt"), encoding="utf-8") as handle:
        newest_tested = pinned(handle.read(), "ansible-core")[0]
    assert 'ANSIBLE_INSTALL_REFS="ansible-core==%s ' % newest_tested in containerfile
    assert re.search(r'^ARG PYCMD="/usr/bin/python3\.1[2-9]"', containerfile, flags=re.M)


def test_the_runner_pin_matches_the_tested_runner(context):
    with open(os.path.join(ROOT, "requirements-dev.txt"), encoding="utf-8") as handle:
        tested_runner = pinned(handle.read(), "ansible-runner")
    assert "ansible-runner==%s" % tested_runner[0] in (context / "Containerfile").read_text()
