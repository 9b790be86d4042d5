"""Detect: the pure state machines that turn scoreboard readings into goals and match ends.

``goals.GoalDetector`` (readings to goals), ``match_end.MatchTracker`` (goals to finished matches) and
``checkpoint.MatchCheckpoint`` (the detector's state, stored so a restarted capture resumes without loss).
"""
