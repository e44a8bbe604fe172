"""Build the collection's HTML documentation site: antsibull-docs for the plugins and the role,
Sphinx for the site, the Markdown pages under docs/ as extra docs (through MyST).

    python hacking/build_docs.py STAGED_COLLECTION DEST_DIR

STAGED_COLLECTION is the collection inside an ``ansible_collections`` tree that is on
ANSIBLE_COLLECTIONS_PATH (``make stage`` makes it). The site lands in DEST_DIR/build/html.
Every warning is an error, and so is a relative link in a page under docs/ that points to no
file of the collection.

antsibull-docs only takes reStructuredText extra docs, so each page has a stub in
docs/docsite/rst/ with its label and its title (checked against the page's first heading).
In the site's source tree the stub is replaced by the label and an include of the page through
MyST, and the page is copied beside it with its links rewritten for the site: a link to
another page (or a heading in it) becomes a reference to that page, a link to any other file of
the collection a link to it in the repository.
"""

import os
import re
import zlib
import shutil
import subprocess
import sys

import yaml

COLLECTION = "leapops.leapwork"
LABEL_PREFIX = "ansible_collections.leapops.leapwork.docsite."
# [text](target) outside code; the target has no spaces.
LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]+)\)")
CONF_ADDITIONS = """
# Added by hacking/build_docs.py.
# The Markdown pages under docs/ are included by reStructuredText stubs through MyST; they are
# not documents of their own.
extensions.append('myst_parser')
source_suffix = {'.rst': 'restructuredtext'}
myst_heading_anchors = 3
# Builds run offline (a failed inventory fetch is a warning, so an error): the generated pages'
# references into Ansible's own docs resolve through the small inventory written beside this file.
intersphinx_mapping = {'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv')}
"""
# The labels of Ansible's docs that antsibull-docs' pages refer to, with their page there. A new
# one shows up as an "undefined label" warning, which fails the build: add it here.
ANSIBLE_DOCS_LABELS = {
    "ansible_configuration_settings": ("reference_appendices/config.html", "Ansible Configuration Settings"),
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
}


def run(command, cwd):
    print("+ " + " ".join(command), flush=True)
    # antsibull-docs runs ansible-doc and ansible-galaxy: those beside this Python.
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    subprocess.run(command, cwd=cwd, check=True, env=env)


def write_ansible_inventory(path):
    """A Sphinx inventory (objects.inv format, version 2) of ANSIBLE_DOCS_LABELS."""
    lines = "".join("%s std:label -1 %s#$ %s\n" % (label, page, title) for label, (page, title) in sorted(ANSIBLE_DOCS_LABELS.items()))
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n"
    with open(path, "wb") as handle:
        handle.write(header.encode("utf-8") + zlib.compress(lines.encode("utf-8")))


def pages(collection):
    with open(os.path.join(collection, "docs", "docsite", "extra-docs.yml"), encoding="utf-8") as handle:
        index = yaml.safe_load(handle)
    return [entry if isinstance(entry, str) else entry["ref"] for section in index["sections"] for entry in section["toctree"]]


def repository_url(collection):
    with open(os.path.join(collection, "galaxy.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["repository"].rstrip("/")


def without_code(text):
    """The text with fenced code blocks and inline code blanked (links there are not links)."""
    text = re.sub(r"^```.*?^```", lambda match: " " * len(match.group(0)), text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", lambda match: " " * len(match.group(0)), text)


def check_stub(collection, name, text, problems):
    """The stub docs/docsite/rst/<name>.rst must carry the page's label and its first heading."""
    with open(os.path.join(collection, "docs", "docsite", "rst", name + ".rst"), encoding="utf-8") as handle:
        stub = handle.read()
    if ".. _%s%s:" % (LABEL_PREFIX, name) not in stub:
        problems.append("docs/docsite/rst/%s.rst: no label %s%s" % (name, LABEL_PREFIX, name))
    heading = re.search(r"^# (.+)$", text, flags=re.M)
    if not heading or not re.search(r"^%s\n=+\n" % re.escape(heading.group(1)), stub, flags=re.M):
        problems.append("docs/docsite/rst/%s.rst: its title is not the first heading of docs/%s.md" % (name, name))


def rewrite_links(collection, page, text, names, repository, broken):
    """The page's Markdown with its relative links made to work on the site; broken ones noted."""
    docs = os.path.join(collection, "docs")
    replacements = []
    for match in LINK.finditer(without_code(text)):
        target = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue
        path, _hash, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(docs, path))
        relative = os.path.relpath(resolved, collection)
        if relative.startswith("..") or not os.path.exists(resolved):
            broken.append("docs/%s.md: [%s](%s) points to no file of the collection" % (page, match.group(1), target))
            continue
        name = os.path.splitext(os.path.basename(path))[0]
        if os.path.dirname(resolved) == docs and path.endswith(".md") and name in names:
            # To the page's label; a heading inside another page has no target MyST can reach.
            new = "#" + LABEL_PREFIX + name
        else:
            kind = "tree" if os.path.isdir(resolved) else "blob"
            new = "%s/%s/main/%s%s" % (repository, kind, relative.replace(os.sep, "/"), "#" + anchor if anchor else "")
        replacements.append((match.start(2), match.end(2), new))
    for start, end, new in reversed(replacements):
        text = text[:start] + new + text[end:]
    return text


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    collection, dest = (os.path.abspath(arg) for arg in sys.argv[1:])
    bin_dir = os.path.dirname(sys.executable)
    names = pages(collection)
    repository = repository_url(collection)

    broken = []
    rewritten = {}
    for name in names:
        with open(os.path.join(collection, "docs", name + ".md"), encoding="utf-8") as handle:
            text = handle.read()
        check_stub(collection, name, text, broken)
        rewritten[name] = rewrite_links(collection, name, text, names, repository, broken)
    if broken:
        sys.exit("docs/ pages:\n" + "\n".join(broken))

    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest, mode=0o755)  # antsibull-docs wants it to exist, writable only by its owner
    run([os.path.join(bin_dir, "antsibull-docs"), "sphinx-init", "--use-current", "--fail-on-error",
         "--dest-dir", dest, COLLECTION], cwd=collection)
    with open(os.path.join(dest, "conf.py"), "a", encoding="utf-8") as handle:
        handle.write(CONF_ADDITIONS)
    write_ansible_inventory(os.path.join(dest, "ansible_devel.inv"))
    os.chmod(os.path.join(dest, "rst"), 0o755)  # as its build.sh does: antsibull-docs checks it
    run([os.path.join(bin_dir, "antsibull-docs"), "--config-file", "antsibull-docs.cfg", "collection",
         "--cleanup", "everything", "--fail-on-error", "--use-current", "--dest-dir", "rst", COLLECTION], cwd=dest)
    docsite = os.path.join(dest, "rst", "collections", "leapops", "leapwork", "docsite")
    for name, text in rewritten.items():
        with open(os.path.join(docsite, "_" + name + ".md"), "w", encoding="utf-8") as handle:
            handle.write(text)
        with open(os.path.join(docsite, name + ".rst"), "w", encoding="utf-8") as handle:
            handle.write(".. _%s%s:\n\n.. include:: _%s.md\n   :parser: myst_parser.sphinx_\n" % (LABEL_PREFIX, name, name))
    run([os.path.join(bin_dir, "sphinx-build"), "-M", "html", "rst", "build", "-c", ".", "-W", "--keep-going", "-q"], cwd=dest)
    print("documentation site: " + os.path.join(dest, "build", "html", "index.html"))


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as exc:
        sys.exit("build_docs: %s failed (exit status %d); see its messages above" % (os.path.basename(exc.cmd[0]), exc.returncode))
