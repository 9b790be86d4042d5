"""The capture task: the long-running Fargate container that turns a live stream into events.

Its stages, one sub-package each, in the order data flows through them:

- ``ingest``  — source → playlist follower → segments (bytes + stream times)
- ``vision``  — segments → decoded frames → scoreboard readings
- ``detect``  — readings → goals and match ends (pure state machines)
- ``publish`` — which segments to keep, storing their bytes, putting events on Kinesis

``capture.py`` wires the stages for one channel, ``service.py`` is the container's
entry point (channel from SSM), ``cli.py`` the command line (``detect`` and ``run``).
"""
