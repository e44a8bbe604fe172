# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment(object):

    # Connection options shared by every module, and what the client needs; the argument spec is
    # plugins/module_utils/_module.py connection_argument_spec().
    DOCUMENTATION = r"""
requirements:
  - requests
options:
  controller_url:
    description:
      - Base URL of the Leapwork controller, for example V(https://leapwork.example.com:9002)
        (the controller listens on port 9001 for HTTP and 9002 for HTTPS by default).
      - May carry a path prefix when the controller sits behind a reverse proxy, for example
        V(https://proxy.example.com/leapwork). A trailing C(/) is ignored. The client appends
        C(/api/v4) itself; a URL that already ends with C(/api/v4) is accepted as is.
      - Must use C(http) or C(https) and must not contain a user name, password, query string or fragment.
      - If not set, the value of the E(LEAPWORK_CONTROLLER_URL) environment variable is used.
    type: str
    required: true
  access_key:
    description:
      - Leapwork API access key, sent in the C(AccessKey) header of every request (never in the URL).
      - The key needs the scopes of the calls the module makes; a key without them is answered with
        HTTP 403, a wrong key with HTTP 401.
      - This value is never logged and never appears in results or error messages.
      - If not set, the value of the E(LEAPWORK_ACCESS_KEY) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the controller's TLS certificate when O(controller_url) uses C(https).
      - Set to V(false) only for a controller with a self-signed certificate on a trusted network;
        prefer O(ca_path).
      - If not set, the value of the E(LEAPWORK_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM file with the CA certificate(s) that signed the controller's certificate,
        used instead of the system's trust store.
      - Ignored when O(validate_certs=false).
      - If not set, the value of the E(LEAPWORK_CA_PATH) environment variable is used (an empty value
        means none).
    type: path
  request_timeout:
    description:
      - Seconds to wait for the controller to accept a connection and, separately, to answer one request.
      - Every task has one deadline for all its reads (name lookups, the agent pre-flight, the info
        modules, runs read once or followed), retries and pauses included. A task that waits
        (C(wait=true), or a busy schedule waited for) has C(wait_timeout); any other task has 3 x this
        value (90 s by default). Each request's timeout is cut short to end by that deadline, and
        nothing is sent after it, so a controller that accepts connections and never answers costs at
        most that long. A waiting task returns within C(wait_timeout) + this value + 5 s.
      - Read-only requests are retried within that deadline, with backoff, on connection errors and on
        HTTP 429, 448, 455, 502, 503 and 504; except while waiting for runs, where each read is sent
        once and tried again at the next poll.
      - A request that starts a run is never resent once it was sent, and never sent after the
        deadline (nothing is started then); it always gets this whole time to answer. If no answer
        comes back within it the task fails and says that a run may have started.
    type: float
    default: 30
"""
