# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The polling algorithm of Leapwork's official CI plugins, for the benchmark (written from its description).

    python official_algorithm.py --url URL --access-key KEY --flows FILE [--delay 5]

Per flow, one after another: start the run, wait ``delay`` seconds, then every ``delay`` seconds
read the run's item ids, each item not yet final, and the run status, until the status is
``Finished`` and every item is final (see /work/shared/leapwork-api.md). The plugins start
schedules (``runNow``); the benchmark starts each flow by id instead, so that every approach runs
the same flows on the same agents: the request pattern after the trigger is the same.

FILE is JSON: a list of {"flow_id", "agent_id"}. Prints one JSON document: per flow the run id,
the item statuses (the verdict this algorithm can give) and the seconds from start to verdict.
Standard library only.
"""

import argparse
import json
import sys
import time
import urllib.request

FINAL = frozenset(("Passed", "Failed", "Error", "Inconclusive", "Timeout", "Cancelled", "Done"))


class Controller(object):
    def __init__(self, url, access_key):
        self.api = url.rstrip("/") + "/api/v4"
        self.access_key = access_key

    def call(self, method, path):
        request = urllib.request.Request(self.api + path, method=method, headers={"AccessKey": self.access_key})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read().decode("utf-8"))


def run_one(controller, flow_id, agent_id, delay):
    started = time.monotonic()
    run_id = controller.call("PUT", "/flows/%s/agent/%s" % (flow_id, agent_id))["RunId"]
    statuses = {}
    while True:
        time.sleep(delay)
        for run_item_id in controller.call("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"]:
            if statuses.get(run_item_id) not in FINAL:
                statuses[run_item_id] = controller.call("GET", "/runItems/%s" % run_item_id)["Status"]
        status = controller.call("GET", "/run/%s/status" % run_id)["Status"]
        if status == "Finished" and all(value in FINAL for value in statuses.values()):
            break
    return {"run_id": run_id, "item_statuses": sorted(statuses.values()), "seconds": round(time.monotonic() - started, 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--flows", required=True)
    parser.add_argument("--delay", type=float, default=5.0)
    args = parser.parse_args()
    with open(args.flows, encoding="utf-8") as stream:
        flows = json.load(stream)
    controller = Controller(args.url, args.access_key)
    began = time.monotonic()
    runs = [run_one(controller, flow["flow_id"], flow["agent_id"], args.delay) for flow in flows]
    json.dump({"runs": runs, "wall_seconds": round(time.monotonic() - began, 3)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
