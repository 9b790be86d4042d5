"""Vision: decode segments into timed frames and read the scoreboard on them."""
