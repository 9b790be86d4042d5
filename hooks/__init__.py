"""Hook Lambdas: each folder with a handler.py and a hook.json becomes one Lambda on the highlight topic.

`hooks/shared` holds what every hook needs (reading the SNS event, secrets, HTTP
with retries); `hooks/README.md` says how to add a hook.
"""
