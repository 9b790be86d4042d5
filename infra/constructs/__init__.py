"""One construct per concern of highlight-bot; `infra/app.py` wires them together."""
