"""Publish: keep the segments a clip needs, store their bytes, and put events on Kinesis."""
