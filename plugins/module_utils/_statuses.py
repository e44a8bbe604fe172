# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""The statuses of a run, as the controller spells them: defined once, for every layer.

``GET /run/{runId}/status`` answers one of these, or ``Executing`` (which no code tests for), for a
run; a schedule's status is the status of its newest run. Run item statuses (``Passed``, ``Failed``, ...) are another set: the result
model (``_results``) classifies them into outcomes.
"""

#: Waiting for a free agent.
STATUS_QUEUED = "Queued"
#: Over: every flow of the run has ended (its items may still be written for a moment).
STATUS_FINISHED = "Finished"
