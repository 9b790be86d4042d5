"""The SSM parameter naming the Twitch channel the capture task watches.

It has a fixed name because a human types it to switch channel without a redeploy:
`aws ssm put-parameter --name /highlight-bot/channel --value NEWCHANNEL --overwrite`; the capture
task re-reads it every `channel_poll_interval_s`. CloudFormation writes the value only when the
template's value changes (context `channel`), so a value set by hand survives ordinary deploys.
"""

from __future__ import annotations

from aws_cdk import aws_ssm as ssm
from constructs import Construct


class ChannelParameter(Construct):
    """A plain String parameter (a channel name is not a secret)."""

    def __init__(self, scope: Construct, construct_id: str, *, name: str, initial_channel: str) -> None:
        super().__init__(scope, construct_id)
        self.parameter = ssm.StringParameter(
            self,
            "Parameter",
            parameter_name=name,
            string_value=initial_channel,
            description="Twitch channel watched by highlight-bot's capture task (polled, no redeploy needed).",
        )
