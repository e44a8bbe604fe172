"""Print the emulator configuration used by `make integration`.

The built-in catalogue (whose ids the targets use, see setup_emulator) plus a fan-out set of
20 flows on 20 agents for the concurrency test of the verify_deployment role, and a read-only
access key so that a real 403 can be provoked.

    PYTHONPATH=tests/emulator python tests/integration/emulator_config.py > emulator.json
"""

import copy
import json

from leapwork_emulator.catalogue import DEFAULT_CONFIG

FAN_OUT = 20
READ_ONLY_KEY = "emulator-read-only-key"


def fan_out_config():
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["folders"].append({"id": "10000000-0000-4000-8000-0000000000f0", "path": "Fan-out"})
    for index in range(1, FAN_OUT + 1):
        config["flows"].append({
            "id": "21000000-0000-4000-8000-%012d" % index,
            "title": "Fan-out flow %02d" % index,
            "folder": "Fan-out",
            "outcome": "Passed",
            "duration": 60,
        })
        config["agents"].append({
            "id": "31000000-0000-4000-8000-%012d" % index,
            "title": "Fan-out agent %02d" % index,
            "host": "fan-out-%02d" % index,
            "connection_type": "RemoteAgent",
        })
    config["access_keys"] = {READ_ONLY_KEY: ["read"]}
    return config


if __name__ == "__main__":
    print(json.dumps(fan_out_config(), indent=1))
