"""Detect: the pure state machines that turn scoreboard readings into goals and match ends."""
