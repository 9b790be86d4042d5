"""The SSM parameter listing the channels highlight-bot captures, one Fargate task each.

It has a fixed name because a human types it to change channels without a redeploy:
`aws ssm put-parameter --name /highlight-bot/channel --value 'a,b=https://…' --overwrite`. The
reconciler (`capture_reconciler.py`) starts and stops tasks on its change event and every minute;
each task re-reads its own entry every `channel_poll_interval_s`. CloudFormation writes the value
only when the template changes (context `channel`), so a value set by hand survives ordinary
deploys — which is also why the resource's other properties (the description) must stay as they
are: any update of the resource puts the template's value back.
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
