# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""JUnit XML report of followed runs, as CI servers (Jenkins, GitLab, Azure DevOps) read it.

One ``<testsuite>`` per run and one ``<testcase>`` per run item (flow on agent); a flow run
more than once (``retries``) is one run, its last attempt, with its earlier attempts inside its
``<testcase>`` as Surefire writes re-runs (``_add_attempts``). ``Failed`` (and
``Done`` when it counts as failed) is a ``<failure>``; ``Error``, ``Inconclusive``, ``Timeout``,
unknown statuses and flows still running at the timeout are ``<error>``s; ``Cancelled`` is
``<skipped>``. Keyframes go in the element body and in ``<system-out>``, never in attributes.
A run whose outcome its items did not decide (it timed out, could not be followed or ran no flow:
``RunResult.problem``) gets one more ``<testcase>`` with an ``<error>`` that says so, so that a
report is never silently empty or green.
"""

import io
import os
import re
import tempfile
import xml.etree.ElementTree as ET

from ansible_collections.leapops.leapwork.plugins.module_utils._files import replace_file
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import one_line
from ansible_collections.leapops.leapwork.plugins.module_utils._results import FLAKY, RUNNING, junit_element

MESSAGE_LIMIT = 200

# Characters XML 1.0 cannot carry at all (ElementTree would write them and break the file).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text):
    return _INVALID_XML.sub("\ufffd", "" if text is None else str(text))


def _attribute(text, limit=MESSAGE_LIMIT):
    return _xml(one_line(text, limit))


def _seconds(value):
    return "%.3f" % (value or 0.0)


def _keyframe_lines(keyframes):
    lines = []
    for keyframe in keyframes:
        head = " ".join(part for part in (keyframe.get("timestamp"), "[%s]" % (keyframe.get("level") or "Info")) if part)
        message = keyframe.get("message") or ""
        if keyframe.get("block"):
            message = "%s: %s" % (keyframe["block"], message)
        lines.append("%s %s" % (head, message))
    return "\n".join(lines)


def _properties(parent, values):
    properties = ET.SubElement(parent, "properties")
    for name, value in values:
        if value is not None:
            ET.SubElement(properties, "property", name=name, value=_attribute(value, 1000))
    return properties


def _testcase_names(run_results):
    """A unique name per item across the report: the flow title, plus ``[agent]`` when the flow
    ran on several agents, plus ``#n`` when it still repeats."""
    agents_by_flow = {}
    for run in run_results:
        for item in run.items:
            flow = item.flow_title or item.flow_id or item.run_item_id
            agents_by_flow.setdefault(flow, set()).add(item.agent_title or item.agent_id)
    names = {}
    used = {}
    for run in run_results:
        for item in run.items:
            flow = item.flow_title or item.flow_id or item.run_item_id
            name = flow
            if len(agents_by_flow[flow]) > 1:
                name = "%s [%s]" % (flow, item.agent_title or item.agent_id or "unknown agent")
            used[name] = used.get(name, 0) + 1
            if used[name] > 1:
                name = "%s #%d" % (name, used[name])
            names[id(item)] = name
    return names


def _suite_names(run_results, suite_name):
    names = []
    for run in run_results:
        titles = set(item.flow_title for item in run.items if item.flow_title)
        if run.name:
            names.append(run.name)
        elif len(titles) == 1:
            names.append(titles.pop())
        else:
            names.append("%s run %s" % (suite_name, run.run_id))
    counts = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [name if counts[name] == 1 or name.endswith(run.run_id) else "%s (run %s)" % (name, run.run_id)
            for name, run in zip(names, run_results)]


#: The suite attribute that counts each element.
_COUNTED_IN = {"failure": "failures", "error": "errors", "skipped": "skipped"}


def _run_problem(run):
    """The run-level error to report as a test case, or ``None``: what decided the run's outcome
    when its items did not (``RunResult.problem``), with the run's message."""
    if run.problem:
        return run.problem, run.message
    return None


def _add_attempts(testcase, run):
    """The earlier attempts of a re-run flow, as Maven Surefire and Gradle write re-run tests: when a
    later attempt passed (``flaky``), ``<flakyFailure>``/``<flakyError>``, and no ``<failure>``;
    when none did, ``<rerunFailure>``/``<rerunError>`` beside the last attempt's ``<failure>``/``<error>``.
    Each says which attempt, on which agent, in which run, and why; its log is in ``<stackTrace>``."""
    prefix = "flaky" if run.outcome == FLAKY else "rerun"
    for number, attempt in enumerate(run.attempts, 1):
        # An earlier attempt failed or erred (nothing else runs again): flakyFailure, rerunError, ...
        kind = prefix + junit_element(attempt.outcome).capitalize()
        short = "attempt %d of %d on %s (run %s): %s: %s" % (number, run.attempt_count, attempt.where(), attempt.run_id,
                                                             attempt.status or attempt.outcome, attempt.reason or "no details")
        element = ET.SubElement(testcase, kind, message=_attribute(short), type=_attribute(attempt.status or attempt.outcome, 100))
        keyframes = [keyframe for item in (attempt.run.items if attempt.run else ()) for keyframe in item.keyframes]
        ET.SubElement(element, "stackTrace").text = _xml(_keyframe_lines(keyframes)) or _xml(short)
    if run.failed_attempt:
        # The last attempt's trigger failed: a re-run that erred, beside the verdict of the run before it.
        short = "attempt %d of %d on %s: %s" % (run.attempt_count, run.attempt_count, run.failed_attempt.where(),
                                                run.failed_attempt.not_started())
        element = ET.SubElement(testcase, "rerunError", message=_attribute(short),
                                type=_attribute("MayHaveStarted" if run.failed_attempt.may_have_started else "NotStarted", 100))
        ET.SubElement(element, "stackTrace").text = _xml(short)


def _add_item(suite, item, name, run_id, run=None):
    testcase = ET.SubElement(suite, "testcase", classname=_attribute("leapwork.%s" % (item.agent_title or item.agent_id or "unknown agent"), 1000),
                             name=_attribute(name, 1000), time=_seconds(item.elapsed_seconds))
    _properties(testcase, (("run_id", run_id), ("agent_id", item.agent_id), ("run_item_id", item.run_item_id),
                           ("flow_id", item.flow_id), ("status", item.status)))
    log = _xml(_keyframe_lines(item.keyframes))
    kind = junit_element(item.outcome)
    if kind == "skipped":
        ET.SubElement(testcase, "skipped", message="Cancelled")
    elif kind:
        status = item.status or "NoStatus"
        short = "%s: %s" % (status, item.explanation())
        element = ET.SubElement(testcase, kind, message=_attribute(short),
                                type=_attribute(status if item.outcome != RUNNING else "TimedOut", 100))
        element.text = log or _xml(short)
    if run is not None and run.retried:
        _add_attempts(testcase, run)
    if log:
        ET.SubElement(testcase, "system-out").text = log
    return kind


def build_junit(run_results, suite_name="leapwork"):
    """The report as an ``ElementTree.Element`` (``<testsuites>``)."""
    run_results = list(run_results)
    root = ET.Element("testsuites", name=_attribute(suite_name, 1000))
    names = _testcase_names(run_results)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for run, suite_title in zip(run_results, _suite_names(run_results, suite_name)):
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite = ET.SubElement(root, "testsuite", name=_attribute(suite_title, 1000))
        _properties(suite, (("run_id", run.run_id), ("run_status", run.status), ("outcome", run.outcome),
                            ("queued_seconds", _seconds(run.queued_seconds))))
        for item in run.items:
            kind = _add_item(suite, item, names[id(item)], run.run_id, run)
            counts["tests"] += 1
            if kind:
                counts[_COUNTED_IN[kind]] += 1
        problem = _run_problem(run)
        if problem:
            kind, message = problem
            testcase = ET.SubElement(suite, "testcase", classname="leapwork.run", name=_attribute("run %s" % run.run_id, 1000),
                                     time=_seconds(run.elapsed_seconds))
            _properties(testcase, (("run_id", run.run_id),))
            ET.SubElement(testcase, "error", message=_attribute(message), type=kind).text = _xml(message)
            counts["tests"] += 1
            counts["errors"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", _seconds(run.elapsed_seconds))
        total_time += run.elapsed_seconds or 0.0
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _seconds(total_time))
    return root


def junit_path_problem(path):
    """Why a report cannot be written at ``path``, or ``None``.

    Checked before any run is started, so that a report that cannot be written never costs a
    run whose result would then be lost. The nearest existing directory on the way is probed
    with a temporary file (a permission bit does not tell everything: read-only mounts, ACLs).
    """
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(path):
        return "junit_path %s is a directory; give the path of the report file" % path
    ancestor = os.path.dirname(path)
    while not os.path.lexists(ancestor):
        ancestor = os.path.dirname(ancestor)
    if not os.path.isdir(ancestor):
        return "junit_path %s cannot be written: %s is not a directory" % (path, ancestor)
    try:
        handle, probe = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".probe", dir=ancestor)
    except OSError as exc:
        return "junit_path %s cannot be written: cannot create a file in %s (%s)" % (path, ancestor, exc.strerror or exc)
    os.close(handle)
    os.unlink(probe)
    return None


def _new_file_mode():
    """0666 less the umask, as ``open()`` would create the file (mkstemp uses 0600)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_junit(run_results, path, suite_name="leapwork"):
    """Write the JUnit XML report of ``run_results`` to ``path`` (UTF-8, atomically); return the path.

    The parent directory is created when missing. An existing file keeps its permissions; a new
    one follows the umask, like any file a CI job writes. The texts are masked already: the
    client masks the secrets in every answer it reads (a flow may log its variables), before any
    layer trims them.
    """
    path = os.path.abspath(os.path.expanduser(path))
    root = build_junit(run_results, suite_name)
    indent = getattr(ET, "indent", None)  # Python 3.9+
    if indent is not None:
        indent(root)
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = _new_file_mode()
    report = io.BytesIO()
    ET.ElementTree(root).write(report, encoding="UTF-8", xml_declaration=True)
    report.write(b"\n")
    replace_file(path, report.getvalue(), mode)
    return path
