"""The whole highlight-bot pipeline on one machine: the README's main command (`make demo`)."""
