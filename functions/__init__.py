"""The Lambdas of the clip pipeline: enrich (segment index, clip window) and clip (ffmpeg, S3, SNS).

Each Lambda is one folder holding a thin ``handler.py`` and the plain
functions it calls; ``functions.shared`` holds what both need (settings from
the environment, AWS clients, reading segment bytes). See ``functions/README.md``.
"""
