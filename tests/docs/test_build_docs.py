# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hacking/build_docs.py: the checks and link rewriting done before Sphinx runs."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "hacking"))

import build_docs  # noqa: E402  pylint: disable=wrong-import-position

REPOSITORY = "https://github.com/leapops/leapwork"


@pytest.fixture
def collection(tmp_path):
    """A collection with two pages, a stub each, an example file and a folder."""
    (tmp_path / "docs" / "examples").mkdir(parents=True)
    (tmp_path / "docs" / "docsite" / "rst").mkdir(parents=True)
    (tmp_path / "docs" / "examples" / "play.yml").write_text("---\n")
    (tmp_path / "tests").mkdir()
    for name, title in (("guide", "A guide"), ("other", "Other page")):
        (tmp_path / "docs" / (name + ".md")).write_text("# %s\n\ntext\n" % title)
        (tmp_path / "docs" / "docsite" / "rst" / (name + ".rst")).write_text(
            ".. _%s%s:\n\n%s\n%s\n\nstub\n" % (build_docs.LABEL_PREFIX, name, title, "=" * len(title)))
    return tmp_path


def rewrite(collection, text):
    broken = []
    return build_docs.rewrite_links(str(collection), "guide", text, ["guide", "other"], REPOSITORY, broken), broken


def test_links_to_pages_become_references_and_files_repository_links(collection):
    text, broken = rewrite(collection, "See [other](other.md#a-heading), [the play](examples/play.yml), "
                                       "[tests](../tests/), [web](https://example.com/x.md) and [here](#local).")
    assert broken == []
    assert "[other](#ansible_collections.leapops.leapwork.docsite.other)" in text
    assert "[the play](%s/blob/main/docs/examples/play.yml)" % REPOSITORY in text
    assert "[tests](%s/tree/main/tests)" % REPOSITORY in text
    assert "[web](https://example.com/x.md)" in text
    assert "[here](#local)" in text


def test_broken_links_are_reported_and_links_in_code_are_not_links(collection):
    text, broken = rewrite(collection, "[gone](gone.md) and [outside](../../etc/passwd)\n\n```md\n[in code](nowhere.md)\n```\n"
                                       "and `[inline](nowhere.md)`")
    assert broken == [
        "docs/guide.md: [gone](gone.md) points to no file of the collection",
        "docs/guide.md: [outside](../../etc/passwd) points to no file of the collection",
    ]
    assert "[in code](nowhere.md)" in text


def test_a_stub_must_carry_the_label_and_the_page_title(collection):
    problems = []
    build_docs.check_stub(str(collection), "guide", "# A guide\n", problems)
    assert problems == []
    build_docs.check_stub(str(collection), "guide", "# A renamed guide\n", problems)
    assert problems == ["docs/docsite/rst/guide.rst: its title is not the first heading of docs/guide.md"]
    (collection / "docs" / "docsite" / "rst" / "other.rst").write_text("Other page\n==========\n")
    problems = []
    build_docs.check_stub(str(collection), "other", "# Other page\n", problems)
    assert problems == ["docs/docsite/rst/other.rst: no label %sother" % build_docs.LABEL_PREFIX]
