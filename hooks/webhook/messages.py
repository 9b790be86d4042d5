"""Chat messages announcing a goal at once and its highlight when cut, in Discord's and Slack's webhook shapes.

Pure functions of the event, so the shapes are unit-tested without a network.
The alert (``GOAL — LIV 1-0 MCI (23')``) has no links: nothing exists yet. The
highlight's message links the clip and shows the thumbnail: the chat service
fetches them, and the links stay valid as long as the event says (`url_expires_at`).
When the clip itself is attached, the Discord embed leaves the thumbnail out:
the attached video shows its own.

Example:
    >>> requests.post(discord_url, json=discord_message(highlight))
"""

from __future__ import annotations

from typing import Any, Literal

from contracts import GoalAlert, GoalEvent, HighlightEvent
from contracts.events import highlight_title
from hooks.shared import host_of, title_of

MessageFormat = Literal["discord", "slack"]

DISCORD_TITLE_CHARS = 256
SLACK_HOSTS = frozenset({"hooks.slack.com"})
FOOTER = "highlight-bot"


def message_format(webhook_url: str, fmt: MessageFormat | None = None) -> MessageFormat:
    """The format asked for, else Slack for hooks.slack.com, else Discord (the shape most chat tools accept)."""
    if fmt is not None:
        return fmt
    return "slack" if host_of(webhook_url) in SLACK_HOSTS else "discord"


def highlight_message(event: HighlightEvent, fmt: MessageFormat, *, attached: bool = False) -> dict[str, Any]:
    """The highlight's message; ``attached``: the clip goes with it as a file (Discord only), so no thumbnail."""
    return slack_message(event) if fmt == "slack" else discord_message(event, attached=attached)


def alert_message(alert: GoalAlert, fmt: MessageFormat) -> dict[str, Any]:
    return slack_alert_message(alert) if fmt == "slack" else discord_alert_message(alert)


def alert_text(alert: GoalAlert) -> str:
    """`GOAL — LIV 1-0 MCI (23')`."""
    return f"GOAL — {alert.title.strip() or highlight_title(alert.goal)}"


def describe_goal(event: HighlightEvent | GoalAlert) -> str:
    """`LIV 1-0 MCI, goal for LIV at 22:10 on channel sample`: the score, teams, clock and channel."""
    goal: GoalEvent = event.goal
    scorer = goal.teams.home if goal.side == "home" else goal.teams.away
    return (
        f"{goal.teams.home} {goal.score} {goal.teams.away}, goal for {scorer} at {goal.clock} "
        f"on channel {event.channel}"
    )


def clip_length(event: HighlightEvent) -> str:
    """`19 s clip`, and for a partial one what it lacks: `19 s clip; ⚠ partial clip: 6.0 s of pre-roll missing (…)`."""
    length = f"{event.duration_s:.0f} s clip"
    return f"{length}; ⚠ {event.partial.summary}" if event.partial else length


def discord_message(event: HighlightEvent, *, attached: bool = False) -> dict[str, Any]:
    """A Discord webhook body: `content` plus one embed linking the clip, showing the thumbnail (unless attached)."""
    title = title_of(event)
    embed: dict[str, Any] = {
        "title": title[:DISCORD_TITLE_CHARS],
        "description": f"{describe_goal(event)}\n{clip_length(event)}",
        "url": event.clip.url,
        "timestamp": event.goal.at.isoformat(),
        "footer": {"text": FOOTER},
    }
    if not attached:
        embed["image"] = {"url": event.thumbnail.url}
    return {
        "content": f"⚽ {title}",
        "embeds": [embed],
        "allowed_mentions": {"parse": []},  # a team code or title never pings anyone
    }


def discord_alert_message(alert: GoalAlert) -> dict[str, Any]:
    """The goal at once: `content` plus an embed with the score, teams and clock; the clip follows by edit."""
    text = alert_text(alert)
    return {
        "content": f"⚽ {text}",
        "embeds": [
            {
                "title": text[:DISCORD_TITLE_CHARS],
                "description": f"{describe_goal(alert)}\nclip on its way",
                "timestamp": alert.goal.at.isoformat(),
                "footer": {"text": FOOTER},
            }
        ],
        "allowed_mentions": {"parse": []},
    }


def slack_alert_message(alert: GoalAlert) -> dict[str, Any]:
    """The goal at once, in Slack's shape (incoming webhooks cannot edit: the clip comes as its own message)."""
    text = alert_text(alert)
    return {
        "text": f"⚽ {text}",
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{_slack_escape(text)}*\n{_slack_escape(describe_goal(alert))}"},
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"clip on its way · {FOOTER}"}]},
        ],
    }


def slack_message(event: HighlightEvent) -> dict[str, Any]:
    """A Slack webhook body: fallback `text` plus blocks with the description, a clip button and the thumbnail."""
    title = title_of(event)
    return {
        "text": f"⚽ {title}: {event.clip.url}",
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{_slack_escape(title)}*\n{_slack_escape(describe_goal(event))}"},
                # A button carries the link as plain JSON, so the presigned URL's '&' needs no mrkdwn escaping.
                "accessory": {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Watch the clip"},
                    "url": event.clip.url,
                },
            },
            {"type": "image", "image_url": event.thumbnail.url, "alt_text": title},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"{_slack_escape(clip_length(event))} · {FOOTER}"}],
            },
        ],
    }


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn reserves &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
