"""Chooses which frames to look at: keyframes first, full decode only around changes.

Why: decoding every frame of 1080p60 costs more CPU than a quarter vCPU has;
decoding one keyframe per 2 s segment costs a tenth of that. The score box of
each keyframe is compared (as a glyph mask, no OCR) with the last frame that
showed the HUD; only when it differs are the segments in between decoded in
full, to find the first frame that showed the new score and to read it.

At the live edge the capture may also ask for a segment's *tail* (``live_edge``):
keyframes alone notice a goal shown in segment k only at segment k + 1's keyframe,
which exists once k + 1 has been broadcast, ~2 s later. With nothing else waiting,
the CPU is idle until the next segment anyway, so the segment's later frames are
decoded too (only the HUD's rows kept), the last one showing the HUD is compared
with the last visible frame, and a change is searched for in those same frames:
the goal is read in the segment it occurs in, and the next keyframe compares
with the new score, so nothing is decoded twice. Frames decoded this way also
give the confirming reads of a score still being confirmed (a goal at the very
end of k is confirmed by k + 1's frames, not by k + 2's keyframe). The tail is
decoded only while no later segment waits (``capture_task.ingest.buffer.LiveEdge``),
checked before each frame: when the next segment arrives first, the tail is
abandoned at once and that segment's keyframe finds any change the usual way.
Behind live, or reading a file, it is keyframes only, as before.

The naive baseline the benchmark compares against lives in ``bench/naive.py``,
outside the container's code.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import chain
from typing import Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.frames import TimedFrame, UndecodableSegment, all_frames, first_frame
from capture_task.vision.geometry import Box, bounding, gray, score_mismatch
from capture_task.vision.keyframes import TOP_DECODE_MAX_SHARE
from capture_task.vision.locate import HudLayout
from capture_task.vision.reader import (
    MASK_MISMATCH_CHANGED,
    MASK_MISMATCH_SAME,
    ScoreboardReader,
    same_glyphs,
)
from capture_task.vision.readings import MAX_GOALS_PER_JUMP, NIL_NIL, FrameObservation, ScoreboardReading
from contracts import Score

logger = logging.getLogger("highlight_bot.capture")

RECENT_SEGMENTS = 20
"""Segments kept in memory to search back for a change (~40 s of 2 s segments)."""
RELOCATE_AFTER_HIDDEN_KEYFRAMES = 2
"""After this many keyframes without the known HUD (~4 s), look for it again: a new match brings
new team codes (so the old layout no longer matches), a new overlay may move it."""
RELOCATE_EVERY_KEYFRAMES = 2
"""While searching, try one keyframe in this many: a search costs ~0.05-0.2 s of CPU, up to ~1.5 s at 1080p with
overlays full of text; the reader's ``SearchBudget`` defers any search past its share of stream time. Until a HUD
is first found, every keyframe is tried: nothing can be read before, and a hard HUD may be found on one keyframe and
not the next (dev-1275's '1 | 2' lost its '1' on four keyframes in a row, found whole on the one between two
searches; its first goal, 6.5 s later, was lost)."""
HUD_NOT_FOUND_AFTER_S = 60.0
"""A search that has gone on this long (stream time) without finding the HUD is reported: a warning
saying what was tried and a ``HudNotFound`` count; the search goes on, and is reported again after
every further such stretch."""
HUD_AREA_STILL_GREY_LEVELS = 8.0
"""Mean grey difference between two keyframes below which the known HUD's area is 'still': an overlay
(a new HUD with new codes, a panel) stands there. Moving video (a replay) differs by far more."""
HUD_AREA_STILL_EDGES = 0.3
"""How much more of the edges in the known HUD's area than chance must stay (within a pixel) to the next
keyframe for the area to be 'still' too, whatever its grey difference (see ``_edges_kept``). Why: HUD cells leave
gaps where the game shows through, translucent cells show it dimmed, and a stream at a capped bitrate redraws
flat cells in blocks: a new match's HUD standing there differed by 11-16 grey levels from keyframe to keyframe
(dev-100, dev-153), was searched for only after ``RELOCATE_WHILE_MOVING_AFTER_KEYFRAMES``, and its first goal was
stamped 12 s late. Its text's edges stayed (0.42-1.0 above chance); a replay's and a moving crowd's did not
(0.0-0.16)."""
HUD_AREA_EDGES_MIN = 0.02
"""Share of the area's pixels that must be edges for that count to mean anything."""
RELOCATE_WHILE_MOVING_AFTER_KEYFRAMES = 8
"""While the known HUD's area shows moving video (a replay covers the HUD), a search cannot find it
there and costs ~0.5 s; searches wait until the area is still, or this many keyframes (~16 s) have
passed without the HUD (a HUD moved elsewhere is then found)."""
WHOLE_SEARCH_EVERY = 3
"""Of the searches for a HUD that was read and is now hidden, one in this many looks at both bands of the whole
frame; the others only at the rows where it was. Why: a HUD hidden by a replay or a panel comes back, or the next
match's HUD shows, in the same rows, and a search of both bands over a replay or a panel full of text costs
~0.3-0.5 s and finds nothing (a tenth of that in its rows). A HUD moved elsewhere is found by the third search."""
RELOCATE_EVERY_KEYFRAMES_WHEN_LOST = 4
"""Once reported, try one keyframe in this many: a stream that shows no HUD must not cost a core."""
CONFIRMING_READS = 2
"""Extra frames read right after a change, so a goal is confirmed without waiting."""
CONFIRMING_SPACING_S = 0.2
"""Spacing of those frames: apart enough not to read one frame's compression twice, close enough that a goal
shown in the first 1.5 s of a 2 s segment is confirmed by that segment's own frames at the live edge, not by
the next segment's, 2 s later (its alert as much sooner). 0.4 s fitted only goals in the first ~1.2 s. Measured
before the change, all 40 dev-suite streams and the bench suite at 0.4 and 0.2 s: the same goals, the same
timing errors and no invented goal (bench/README.md); a transient misread must still agree three times and
pass the detector's plausibility rules."""
CONFIRMING_ATTEMPTS = 2 * CONFIRMING_READS
"""Most frames read (read or not) to confirm a score from one segment's decoded frames."""
CLOCK_REFRESH_KEYFRAMES = 15
"""Read the clock again every this many keyframes with a HUD (~30 s): full time needs a moving clock."""
UNREAD_IN_VIEW_KEYFRAMES = 5
"""Keyframes in a row (~10 s of 2 s segments; those with the HUD hidden not counted) showing the HUD with its
score unreadable, after which that is said (a warning and a ``ScoreUnread`` count), and again after every further
such run. Why: a reader that refuses a doubtful digit (a '1' that may be a '7') returns nothing, so no misread is
refused loudly by the goal detector either; a goal whose new score is never read would be missed in silence.
A goal animation is unreadable for a keyframe at most, a replay hides the HUD (not counted)."""
JITTER_MAX_MISMATCH = 0.15
JITTER_NEARER = 4.0
"""An unread frame whose score mask differs from a read one's by at most the first, and is at least the second times
nearer it than the mask of the score before the change, may show the read score in another frame's compression: it
does not end the run of unread frames with the read one's mask before it (see ``_first_showing``). Why: at under
1 Mbit/s, dev-560's thin italic '1 - 0' was read on no frame from the goal (9.40 s) until 10.57 s; the keyframe at
10 s, an I-frame, and the frames after it masked 0.07 off every other frame of that score (0.60-0.72 off the 0-0
before), above 'changed', so the run of unread frames since the goal, the very mask of the frame read, was cut off
by the keyframe: stamped 1.17 s late. A digit that changed to one mostly overlapping it (a '1' to a '7') differs by
about as much as such a jitter, but then the old score's mask is as near too."""
UNREAD_SEARCH_AT_KEYFRAMES = frozenset({2, 4, 8, 16, 32})
"""Keyframes in view in a row with the score unread after which the HUD is searched for again (the whole
frame, a clock required):
- a scoreboard-like row taken on the first keyframe may not be the HUD (dev-08 read nothing from
  '4 SQ 38 PSG 0 INT' while the real HUD's first goal went by);
- a HUD read until now may show a new match: its codes in the same face and place differ from the old ones'
  by less than 'hidden' (BEN over PSV: 0.2), and a score cell in the new team's colour is no longer read
  with the old one's levels (dev-74 read nothing, then nonsense, for the rest of the stream).
Ever more rarely: a search costs ~0.5 s at 1080p, and a HUD that is right but unreadable is said by the
in-view warning."""
NEVER_READ_SEARCH_UNTIL_KEYFRAME = 8
"""Besides those marks, a HUD with a clock beside it whose score never read since it was found is searched for again
in its own rows (a tenth of a whole search) on every keyframe in view with the score unread, up to this many in a row
(~16 s), once it has had ``NEVER_READ_SEARCH_AFTER_KEYFRAMES`` in view to read: one found in the wrong boxes on its
first keyframe reads nothing or nonsense, and the right boxes may be found only on some frames. Why: unseen-23's
translucent cells over a mosaic crowd joined its letters to the crowd on most frames: 'NA 0 0 ? BLZ' was found for
'NAPO 0 - 0 RBLZ' (the 'O' of 'NAPO' taken for the home number), and the searches at 2, 6 and 14 s found nothing;
the one at 10 s finds the right boxes. Its first two goals were lost (said); searched on every keyframe, all three
are reported. A HUD found right reads within a keyframe or two, so these searches cost nothing there. Not a HUD
without a clock (a widget, most likely, searched for elsewhere on its own marks): searched for on every keyframe,
dev-715's widget spent the search budget, and the search that found its HUD was put off until the stream ended."""
NEVER_READ_SEARCH_AFTER_KEYFRAMES = 3
"""Keyframes in view a HUD just found is left to read before such a search may replace it: its codes are confirmed
by two readings first. Why: dev-62's HUD, found by the search at 6 s and read from 10 s, was replaced at 8 s by the
same row read worse ('ZS ? 0 ? 0 ? UF'), which never read: both goals lost."""
CLOCKLESS_SEARCH_AT_KEYFRAMES = frozenset(2**n for n in range(1, 12))
"""Keyframes in view after which a HUD located without a clock beside it is searched for again, a clock
required: every FIFA and FC scoreboard shows one, a streamer's widget ("DIV 1 - 2 PTS") does not. A widget
taken while the HUD was not yet drawn (or not found on that frame) was read ever after, and every goal of
the match was lost (dev-31). So is one whose clock was only a number without a colon (dev-106's widget,
'CHAMPIONS 2028 DIV 4 7 PTS', taken on the first keyframe, before the HUD was drawn). Ever more rarely (2, 4,
8, ... keyframes), so a HUD whose clock is never recognised costs a search every ~70 minutes at the end, not
one a minute."""
COLONLESS_SEARCH_AT_KEYFRAMES = CLOCKLESS_SEARCH_AT_KEYFRAMES - {2}
"""The same for a HUD whose clock is a number without a colon, from the fourth keyframe on: the clock, read on
every keyframe until then (``ScoreboardReader.clock_unproven``), has had the time to be seen running, and most
such clocks are the HUD's own (a search at 1080p costs ~1 CPU s)."""
UNREAD_AT_END_KEYFRAMES = 2
"""Keyframes in a row showing the HUD with its score unread when the stream ends, from which that is said too.
Why: a stream that ends (or a capture that stops) less than ``UNREAD_IN_VIEW_KEYFRAMES`` keyframes after its
score became unreadable never reached that warning, and a goal shown there was lost in silence. One keyframe is
a goal animation's usual cost and is not said."""
JOIN_LOOK_BACK_SEGMENTS = 30
"""Segments kept until the stream's first score is read, its keyframes then read again (see
``KeyframeSampler._look_back_at_first_reading``): ~60 s of 2 s segments, as long as the HUD may go unfound before that
is said (``HUD_NOT_FOUND_AFTER_S``). Then only ``RECENT_SEGMENTS`` are kept: a search back after a long absence
decodes every frame kept after the last visible one."""
JOIN_UNREAD_SAID_KEYFRAMES = 2
"""Keyframes showing the HUD with their score unread before the stream's first score, from which that is said when
they are read again at the first score (one alone is a fade-in or a goal animation; a goal needs the score before it
read, and a run of unread keyframes is where that was lost: unseen-33, dev-174)."""
FURTHEST_BACK_SEGMENTS = max(RECENT_SEGMENTS, JOIN_LOOK_BACK_SEGMENTS)
"""How many segments before the one being read a goal's first frame may be found: the segment keeper holds this
many for a goal's pre-roll."""
HUD_LOST_AT_END_S = 30.0
"""A stream ending this long (stream time) after the HUD it read was last in view, and before that was said a
minute in (``HUD_NOT_FOUND_AFTER_S``), says so: longer than any goal's celebration and replay. Why: dev-191's match
ended, the next one's HUD (a heavy italic code glued by its shadow) was never found, and the stream ended 40 s
later: its two goals were lost with nothing said about them."""
SAME_PIXELS_MARGIN_TEXT_HEIGHTS = 0.25
"""Margin around the HUD's code and score boxes within which two frames must match pixel for pixel for
the later one to reuse the earlier one's score mask (the reader reads inside the boxes)."""


def _edges_kept(before: NDArray[np.uint8], after: NDArray[np.uint8]) -> float:
    """How much more of ``after``'s edges lie within a pixel of one of ``before``'s than chance would put there:
    0 for edges that moved (or too few of them), 1 for edges that all stayed.

    Chance is the share of the area within a pixel of ``before``'s edges: dense edges in a moving texture (a
    crowd) land near old ones that often by luck (0.3-0.5 of them, measured on the tests' crowd band)."""
    edges_before, edges_after = cv2.Canny(before, 60, 150), cv2.Canny(after, 60, 150) > 0
    count = int(edges_after.sum())
    if count < HUD_AREA_EDGES_MIN * after.size:
        return 0.0
    near = cv2.dilate(edges_before, np.ones((3, 3), np.uint8)) > 0
    chance = float(near.mean())
    if chance >= 1.0:
        return 0.0
    return max(int((edges_after & near).sum()) / count - chance, 0.0) / (1.0 - chance)


class FrameSampler(Protocol):
    """What the capture loop needs of a sampler: observations of a segment, and the reader it uses."""

    reader: ScoreboardReader
    segments_tail_decoded: int
    """Segments whose frames after the keyframe were decoded because the capture was at the live edge."""
    segments_tail_abandoned: int
    """Tails begun at the live edge and given up because the next segment arrived first."""

    def observe(
        self,
        segment: SegmentMedia,
        *,
        awaiting: Callable[[], bool],
        live_edge: Callable[[], bool] | None = None,
        awaiting_goal: Callable[[], bool] | None = None,
        confirmed: Callable[[], Score | None] | None = None,
    ) -> Iterator[FrameObservation]: ...

    def end_of_stream(self) -> None:
        """Say what the stream's end leaves unread (the capture calls it once, when its source ends)."""


@dataclass(frozen=True)
class _VisibleFrame:
    """The latest frame known to show the HUD, and its score mask: a change is looked for after it."""

    sequence: int
    stream_time: float
    mask: NDArray[np.bool_]


@dataclass(frozen=True)
class _UnreadFrame:
    """A frame of a search back that showed a change and read nothing, with its score mask."""

    at: datetime
    stream_time: float
    mask: NDArray[np.bool_]


def _beyond_a_jump(before: ScoreboardReading, after: ScoreboardReading) -> bool:
    """Whether a side's number rose by more than goals can explain in one change (``MAX_GOALS_PER_JUMP``)."""
    return max(after.score.home - before.score.home, after.score.away - before.score.away) > MAX_GOALS_PER_JUMP


def _first_showing(
    unread: list[_UnreadFrame], mask: NDArray[np.bool_], changed_from: NDArray[np.bool_]
) -> _UnreadFrame | None:
    """The first of the run of ``unread`` frames, up to the last, whose masks are the same as ``mask``
    (``same_glyphs``: within a pixel of flicker, and exactly); None if there is none.
    Frames whose masks are only near it and far from the mask of the score before the change, ``changed_from`` (see
    ``JITTER_NEARER``), go on the run but never start it.

    Why: a goal's first frames may not read while a later frame showing the same pixels does (dev-293: an italic
    '0' read '9' on the line and '0' alone, 1.6 s of frames, until the keyframe read 1-0): the goal was stamped
    at that later frame. Frames with the same score mask show the same score, read or not. One whose mask is only
    near it may show something else near it (dev-572: 0.6 s of frames before its goal, misread '10-0' for 0-0,
    masked 0.02 off the one read so): it bridges a run (dev-560's keyframe), and does not start one. So does one
    the same within a pixel but not exactly: small digits of the next number are the same glyphs within a pixel
    (dev-1044's '2' and '3'), and the old score's frames would have started the run, the goal stamped early.
    """
    first = None
    for frame in reversed(unread):
        near = score_mismatch(frame.mask, mask)
        if same_glyphs(frame.mask, mask):
            first = frame
        elif near > JITTER_MAX_MISMATCH or near * JITTER_NEARER > score_mismatch(frame.mask, changed_from):
            break
    return first


@dataclass(frozen=True)
class _MaskedPixels:
    """The pixels around the HUD's code and score boxes on the last frame masked, and its score mask."""

    layout: HudLayout
    pixels: NDArray[np.uint8]
    mask: NDArray[np.bool_] | None


@dataclass(frozen=True)
class _HudBand:
    """A decoded frame held while its segment's tail is examined: only the rows around the HUD.

    A whole segment's frames at 1080p60 would be ~120 MB of grey; the HUD's rows are a tenth of that.
    The reader only looks inside the HUD's boxes, so the frame rebuilt around them reads the same.
    """

    at: datetime
    stream_time: float
    top: int
    rows: NDArray[np.uint8]
    height: int

    @classmethod
    def of(cls, frame: TimedFrame, top: int, bottom: int) -> _HudBand:
        return cls(frame.at, frame.stream_time, top, frame.image[top:bottom].copy(), frame.image.shape[0])

    def frame(self) -> TimedFrame:
        image = np.zeros((self.height, self.rows.shape[1]), np.uint8)
        image[self.top : self.top + self.rows.shape[0]] = self.rows
        return TimedFrame(self.at, self.stream_time, image)


class KeyframeSampler:
    """Produces frame observations for a stream of segments, cheaply.

    Example:
        >>> sampler = KeyframeSampler(ScoreboardReader())
        >>> for observation in sampler.observe(segment, awaiting=detector.awaiting_confirmation):
        ...     detector.observe(observation)
    """

    def __init__(self, reader: ScoreboardReader) -> None:
        self.reader = reader
        self.segments_seen = 0
        self.segments_fully_decoded = 0
        """Segments decoded whole to search back for a change (a tail decode is not counted here)."""
        self.segments_tail_decoded = 0
        self.segments_tail_abandoned = 0
        self._recent: deque[SegmentMedia] = deque(maxlen=JOIN_LOOK_BACK_SEGMENTS)
        self._tail_checked: deque[int] = deque(maxlen=RECENT_SEGMENTS)
        """Segments whose every frame after the last visible one was examined: a search back skips them."""
        self._last_visible: _VisibleFrame | None = None
        self._last_read_s = float("-inf")
        """Stream time of the last frame read: confirming reads are spaced from it."""
        self._keyframes_without_hud = 0
        self._searches_while_hidden = 0
        self._keyframes_with_hud = 0
        self._searching_since: float | None = None
        self._reported_missing_at: float | None = None
        self._frame_height: int | None = None
        self._hidden_area: NDArray[np.uint8] | None = None
        self._layout_seen = False
        self._layout_read = False
        """Whether the located HUD's score was read at least once (one never read may be the wrong one)."""
        self._keyframes_on_layout = 0
        """Keyframes showing the located HUD since it was located."""
        self._unread_in_view = 0
        """Keyframes in a row (hidden ones not counted) showing the HUD with no reading of its score."""
        self._unread_in_view_since: float | None = None
        self._last_mask: _MaskedPixels | None = None
        self._search_read_s = float("-inf")
        """Stream time of the last frame the current search back read: frames too close to it are not decoded."""
        self._last_keyframe_s: float | None = None
        self._unread_change_s: float | None = None
        """Stream time of the first frame of a change of the score's pixels that no frame has read since."""
        self._unread_run: list[_UnreadFrame] = []
        """The frames of the last search back that showed a change and read nothing, and the keyframes after them
        that read nothing either, while no frame reads after them (see ``_stamped_at_unread_run``)."""
        self._unread_from: NDArray[np.bool_] | None = None
        """The score mask of the frame before that run's change (the score it changed from)."""
        self._score_read = False
        """Whether any score was read in this stream (the first read looks back: ``_look_back_at_first_reading``)."""
        self._found_anew_after_s: float | None = None
        """Stream time of the last frame read before a HUD was found anew, until the new one is first read (it looks
        back to then too)."""
        self._score_before: Score | None = None
        """The score last read on a keyframe before the HUD was found anew (see ``_looks_back_anew``)."""
        self._last_score: Score | None = None
        self._confirmed: Callable[[], Score | None] | None = None
        """The score of the last keyframe read (the reader forgets its last reading when the HUD is found anew)."""

    def observe(
        self,
        segment: SegmentMedia,
        *,
        awaiting: Callable[[], bool],
        live_edge: Callable[[], bool] | None = None,
        awaiting_goal: Callable[[], bool] | None = None,
        confirmed: Callable[[], Score | None] | None = None,
    ) -> Iterator[FrameObservation]:
        """Observations for this segment's keyframe, preceded by any found by searching back; while
        ``live_edge()`` says the capture is at the live edge, followed by any found in its later frames.
        ``awaiting()``: a change is being confirmed (read fresh frames); ``awaiting_goal()``: one that goals would
        explain (it may be confirmed from the frames right after the keyframe that read it); ``confirmed()``: the
        score the goal detector holds (see ``_search_back``)."""
        self.segments_seen += 1
        self._confirmed = confirmed
        self._recent.append(segment)
        keyframe = first_frame(segment, rows=self._hud_rows())
        if keyframe is None:
            logger.warning("segment %d has no decodable frame", segment.sequence)
            return
        self._frame_height = keyframe.image.shape[0]
        self._last_keyframe_s = keyframe.stream_time
        self.reader.search_budget.advance_to(keyframe.stream_time)
        goal_to_confirm = partial(self._goal_to_confirm_here, awaiting_goal, live_edge)
        yield from self._noting_reads(self._observe_keyframe(segment, keyframe, awaiting, goal_to_confirm))
        if live_edge is not None and self._tail_follows(live_edge):
            yield from self._noting_reads(self._observe_tail(segment, awaiting, live_edge))

    def _noting_reads(self, observations: Iterator[FrameObservation]) -> Iterator[FrameObservation]:
        """``observations``, forgetting an unread change of the score's pixels (and its frames) once any frame reads
        the score."""
        for observation in observations:
            if observation.reading is not None:
                self._unread_change_s = None
                self._unread_run = []
            yield observation

    def _goal_to_confirm_here(
        self, awaiting_goal: Callable[[], bool] | None, live_edge: Callable[[], bool] | None
    ) -> bool:
        """Whether a goal read on the keyframe is confirmed from this segment's frames after it: one is awaited,
        and no tail decode follows (which confirms it from those same frames)."""
        return awaiting_goal is not None and awaiting_goal() and not self._tail_follows(live_edge)

    def _tail_follows(self, live_edge: Callable[[], bool] | None) -> bool:
        """Whether this segment's tail is decoded after its keyframe (at the live edge only)."""
        return live_edge is not None and self._tail_decodable() and live_edge()

    def _observe_keyframe(
        self,
        segment: SegmentMedia,
        keyframe: TimedFrame,
        awaiting: Callable[[], bool],
        goal_to_confirm: Callable[[], bool],
    ) -> Iterator[FrameObservation]:
        keyframe, mask = self._keyframe_mask(segment, keyframe)
        if mask is None:
            yield FrameObservation(keyframe.at, keyframe.stream_time, None)
            return
        masked_on = self.reader.layout
        previous = self._last_visible
        if previous is not None:
            earlier = self._unchecked_frames(previous, segment.sequence)
            yield from self._search_back_if_changed(previous, keyframe, mask, earlier)
        if self.reader.teams is None:
            keyframe = self._whole(segment, keyframe)  # confirming the codes may search the whole frame
        self._keyframes_with_hud += 1
        reading = self.reader.read(keyframe.image, fresh=awaiting())
        mask = self._in_current_layout(mask, masked_on, keyframe.image)
        yield from self._stamped_at_unread_run(keyframe, mask, reading, same_layout=masked_on is self.reader.layout)
        refresh = self._keyframes_with_hud % CLOCK_REFRESH_KEYFRAMES == 0 or self.reader.clock_unproven
        if reading is not None and refresh:
            reading = self.reader.refresh_clock(keyframe.image)
        if reading is not None:
            self._last_read_s = keyframe.stream_time
            self.reader.clock_seen(keyframe.stream_time, reading)
        self._note_whether_read_in_view(keyframe, reading)
        if reading is not None and mask is not None and not self._score_read:
            self._score_read = True
            yield from self._look_back_at_first_reading(segment, keyframe, mask, awaiting)
            self._recent = deque(self._recent, maxlen=RECENT_SEGMENTS)
        elif reading is not None and mask is not None and self._looks_back_anew(reading):
            assert self._found_anew_after_s is not None  # _looks_back_anew
            yield from self._look_back_at_first_reading(
                segment, keyframe, mask, awaiting, after_s=self._found_anew_after_s
            )
        if reading is not None:
            self._found_anew_after_s = None
            self._last_score = reading.score
        yield FrameObservation(keyframe.at, keyframe.stream_time, reading)
        self._last_visible = _VisibleFrame(segment.sequence, keyframe.stream_time, mask) if mask is not None else None
        self._keyframes_on_layout += 1
        first_reading = reading is not None and not self._layout_read
        if reading is not None:
            self._layout_read = True
        layout = self.reader.layout
        if reading is None and self._unread_in_view in UNREAD_SEARCH_AT_KEYFRAMES:
            if self._layout_read:
                self._search_again(segment, keyframe, "its score stopped reading (a new match?)", only_another=True)
            else:
                self._search_again(segment, keyframe, "the one found never read")
        elif self.reader.maybe_widget and self._keyframes_on_layout in self._widget_search_keyframes():
            assert layout is not None  # maybe_widget: a layout is located
            if layout.clock is None:
                self._search_again(segment, keyframe, "the one found has no clock beside it")
            else:
                # Most such clocks are the HUD's own, its colon lost: found again, it is left as it is (taken anew,
                # its codes as first read replaced the confirmed ones: dev-56's RM-AL became RM-AD, a new match).
                why = "the one found has only a number without a colon for a clock beside it"
                self._search_again(segment, keyframe, why, only_elsewhere=True)
        elif reading is None and self._never_read_search_due():
            self._search_again(segment, keyframe, "the one found never read (in its rows)", near=True)
        if mask is not None and awaiting() and (first_reading or goal_to_confirm()):
            yield from self._confirm_from_segment(segment, keyframe, mask, awaiting, anchored=reading is not None)

    def _look_back_at_first_reading(
        self,
        segment: SegmentMedia,
        keyframe: TimedFrame,
        mask: NDArray[np.bool_],
        awaiting: Callable[[], bool],
        *,
        after_s: float | None = None,
    ) -> Iterator[FrameObservation]:
        """Observations of the keyframes kept from before the stream's first score read, read with the HUD as it was
        found since, and of the first frame of each change between them (searched back for, as between any two
        keyframes), in stream order; the keyframe is read again last, so the reader ends on it.

        Why: a HUD is found late when its first keyframes defeat the search (a team-coloured score cell joined to
        the crowd, a widget taken first, a search deferred by its budget), though the HUD it finds reads them: the
        match was joined at the score of that late keyframe, and a goal scored before it was lost, said but lost
        (dev-174: 0-1 scored at 9.7 s, the HUD found at 44 s). Read again, those keyframes give the score before
        the goal and the goal's own first frame. A keyframe with the HUD hidden or unread is skipped, as it would
        have been; what was read goes to the goal detector like any reading, confirmed and refused by its rules.
        Once a stream at its first score, up to ``JOIN_LOOK_BACK_SEGMENTS - 1`` keyframes are decoded and read, a
        segment decoded whole at each change; then once a HUD found anew (below), up to ``RECENT_SEGMENTS - 1``.

        With ``after_s``, for a HUD found anew once one was read (the next match's, or the same one back after a
        replay): only the keyframes after that stream time, the last frame read before, so every observation is later
        than those the goal detector has. Why: the next match's HUD, its clock refused for a widget's on one search,
        was found 0.8 s after its first goal, which was stamped there (dev-319; dev-42 0.4 s).

        The first of them to read is confirmed from the frames after it in its segment, as a keyframe's first score
        is (``_confirm_from_segment``): read once, with the keyframes after it unread until the goal's, it was never
        confirmed, and the match was joined at the goal's score, the goal said but lost (dev-357: 0-0 read once at
        0 s, 1-0 from 7 s).
        """
        rows = self._hud_rows()
        previous: _VisibleFrame | None = None
        shown = 0
        unread_first: list[float] = []
        kept = [
            s for s in self._recent if s.sequence < segment.sequence and (after_s is None or s.stream_time > after_s)
        ]
        for earlier in kept:
            frame = first_frame(earlier, rows=rows)
            earlier_mask = None if frame is None else self._score_mask(frame.image)
            if frame is None or earlier_mask is None:
                continue
            shown += 1
            if previous is not None:
                between = self._unchecked_frames(previous, earlier.sequence)
                yield from self._search_back_if_changed(previous, frame, earlier_mask, between)
            reading = self.reader.read(frame.image, fresh=True)
            if reading is None:
                if previous is None:
                    unread_first.append(frame.stream_time)
                continue
            yield FrameObservation(frame.at, frame.stream_time, reading)
            if previous is None and awaiting():
                self._last_read_s = frame.stream_time  # the confirming reads are spaced from this one
                yield from self._confirm_from_segment(earlier, frame, earlier_mask, awaiting)
            previous = _VisibleFrame(earlier.sequence, frame.stream_time, earlier_mask)
        if shown:
            logger.info(
                "the %s read at %.1f s of stream: %d earlier keyframe(s) showing the scoreboard read again",
                "first score" if after_s is None else "scoreboard found anew", keyframe.stream_time, shown,
            )  # fmt: skip
        if after_s is None and len(unread_first) >= JOIN_UNREAD_SAID_KEYFRAMES:
            self.reader.stats.score_unread += 1
            logger.warning(
                "the scoreboard was in view before its score was first read, but %d of those keyframes (%.1f-%.1f s "
                "of stream) could not be read: a goal shown then may be missed",
                len(unread_first), unread_first[0], unread_first[-1],
            )  # fmt: skip
        if previous is None:
            return
        between = self._unchecked_frames(previous, segment.sequence)
        yield from self._search_back_if_changed(previous, keyframe, mask, between)
        self.reader.read(keyframe.image, fresh=True)
        self._last_read_s = keyframe.stream_time

    def _looks_back_anew(self, reading: ScoreboardReading) -> bool:
        """Whether the first reading of a HUD found anew looks back (``_look_back_at_first_reading``, after the last
        frame read before): not at 0-0 (a new match's kick-off, with no goal before it) nor at the score read before
        it was lost (the same HUD back after a replay): nothing earlier to find, and each look back costs OCR calls."""
        return self._found_anew_after_s is not None and reading.score not in (NIL_NIL, self._score_before)

    def _never_read_search_due(self) -> bool:
        """Whether the HUD located, with a clock beside it and never read, is searched for again in its rows on this
        keyframe besides the usual marks (see ``NEVER_READ_SEARCH_UNTIL_KEYFRAME``)."""
        layout = self.reader.layout
        return (
            layout is not None
            and layout.clock is not None
            and not self._layout_read
            and self._unread_in_view <= NEVER_READ_SEARCH_UNTIL_KEYFRAME
            and self._keyframes_on_layout >= NEVER_READ_SEARCH_AFTER_KEYFRAMES
        )

    def _widget_search_keyframes(self) -> frozenset[int]:
        layout = self.reader.layout
        clockless = layout is not None and layout.clock is None
        return CLOCKLESS_SEARCH_AT_KEYFRAMES if clockless else COLONLESS_SEARCH_AT_KEYFRAMES

    def _search_again(
        self,
        segment: SegmentMedia,
        keyframe: TimedFrame,
        why: str,
        *,
        only_another: bool = False,
        only_elsewhere: bool = False,
        near: bool = False,
    ) -> None:
        """Search the whole keyframe for a HUD with a clock although one is located and in view (it never read,
        or has no clock: it may be a widget; or stopped reading: it may show a new match): the next keyframes use
        what the search finds, if anything. With ``only_another``, the same HUD found again is left as it is:
        taking it anew would forget the last frame known to show it, and a goal read later would be stamped
        when read, not searched back for (dev-10's 3-1, 22 s late); with ``only_elsewhere``, any HUD in its place
        is (see ``ScoreboardReader.relocate``); with ``near``, only the HUD's own rows are searched."""
        if not self.reader.search_budget.allows(f"again, {why}"):
            return
        logger.info("searching for the scoreboard again at %.1f s of stream: %s", keyframe.stream_time, why)
        image = self._whole(segment, keyframe).image
        found = self.reader.relocate(
            image, clock_required=True, only_another=only_another, only_elsewhere=only_elsewhere, near=near
        )
        if found:
            self._located()
            # This keyframe shows the HUD found: the next keyframe's change is searched back for from it. Why: with
            # no frame known to show it, a goal in the next segment was stamped at the keyframe that read it (dev-610:
            # its HUD taken first without its clock, found again at 6 s, its goal at 6.77 s stamped at 8 s). Only
            # once a score was read in the stream: the first reading looks back over the keyframes before it, which
            # must not follow what a search back from here gives (unseen-23: its goal reported twice).
            mask = self._score_mask(image)
            if mask is not None and self._score_read:
                self._last_visible = _VisibleFrame(segment.sequence, keyframe.stream_time, mask)

    def _confirm_from_segment(
        self,
        segment: SegmentMedia,
        keyframe: TimedFrame,
        mask: NDArray[np.bool_],
        awaiting: Callable[[], bool],
        *,
        anchored: bool = True,
    ) -> Iterator[FrameObservation]:
        """Confirm a score read on the keyframe, and still unconfirmed, from the frames after it in its segment,
        not from the next keyframes: the first score read on a HUD just found (the first read may come a keyframe
        or two after the HUD was found: the team codes are confirmed first), or a goal (a change that goals would
        explain from the confirmed score) whose frames before the keyframe did not read, when no tail decode
        follows (behind the live edge, or reading a file). Not a first score to join at from the second keyframe
        on: the frames right after a keyframe repeat its misread (dev-126 joined at 4-0, its '1' read '4' twice).

        Why: a score is taken after three agreeing reads; from keyframes alone that is 4 s later, and a goal's
        replay hides the HUD from ~2-5 s after it. A goal in the first seconds of a HUD gave no goal at all (the
        stream was joined at the new score, with a warning): at the start of a stream, or of a match, that lost
        goals ~6 s in (dev-09). A goal whose animation left every frame before the keyframe unreadable waited for
        the end of its replay, ~10 s, or was lost when the stream ended in it (dev-144). A goal's keyframe that
        shows the HUD but does not read is confirmed so too (dev-243: read twice before it, then hidden by the replay
        until the stream ended). One segment is decoded,
        only until the reads are done, and only while a change is open (``awaiting``).
        """
        top, bottom = self._hud_band()
        frames = all_frames(segment, rows=self._hud_rows(), skippable=self._too_close_to_last_read)
        self.segments_fully_decoded += 1
        try:
            later = (_HudBand.of(frame, top, bottom) for frame in frames if frame.stream_time > keyframe.stream_time)
            yield from self._confirming(later, mask, awaiting, anchored=anchored)
        except UndecodableSegment as error:
            logger.info("segment %d: only its keyframe could be decoded (%s)", segment.sequence, error)
        finally:
            frames.close()

    def _note_whether_read_in_view(self, keyframe: TimedFrame, reading: ScoreboardReading | None) -> None:
        """Say when the HUD stays in view and its score unread for ``UNREAD_IN_VIEW_KEYFRAMES`` keyframes."""
        if reading is not None:
            self._unread_in_view, self._unread_in_view_since = 0, None
            return
        if self._unread_in_view_since is None:
            self._unread_in_view_since = keyframe.stream_time
        self._unread_in_view += 1
        if self._unread_in_view % UNREAD_IN_VIEW_KEYFRAMES == 0:
            self.reader.stats.score_unread += 1
            logger.warning(
                "the scoreboard is in view but its score could not be read on %d keyframes in a row (since "
                "%.1f s of stream): a goal shown meanwhile may be missed; still reading it",
                self._unread_in_view,
                self._unread_in_view_since,
            )

    def end_of_stream(self) -> None:
        """Say when the stream ends with the HUD in view and its score unread for ``UNREAD_AT_END_KEYFRAMES``
        keyframes or more, unless that run was just said, or else after a change of its score's pixels that no
        frame read; or ``HUD_LOST_AT_END_S`` or more after the HUD read was last in view, unless its absence was
        said."""
        self._say_if_lost_at_end()
        run = self._unread_in_view
        if run < UNREAD_AT_END_KEYFRAMES or run % UNREAD_IN_VIEW_KEYFRAMES == 0:
            self._say_if_changed_unread_at_end()
            return
        self.reader.stats.score_unread += 1
        logger.warning(
            "the stream ended with the scoreboard in view but its score unread on its last %d keyframes (since "
            "%.1f s of stream): a goal shown there may be missed",
            run,
            self._unread_in_view_since,
        )

    def _say_if_changed_unread_at_end(self) -> None:
        """Say when the stream ends after the score's pixels changed and no frame has read the score since.

        Why: dev-322's last goal, 9 s before the end, read '1-7' on the line and '1-1' alone on every frame, and a
        replay hid the HUD after one unread keyframe: lost, with nothing in the log."""
        changed_at = self._unread_change_s
        if changed_at is None:
            return
        self.reader.stats.score_unread += 1
        logger.warning(
            "the stream ended after the score changed on screen at %.1f s of stream, and no frame read the score "
            "since: a goal shown then was missed",
            changed_at,
        )

    def _say_if_lost_at_end(self) -> None:
        """Say when the stream ends ``HUD_LOST_AT_END_S`` or more after the HUD it read was last found, unless the
        minute's warning said so (``_report_if_missing``)."""
        lost_since, ended = self._searching_since, self._last_keyframe_s
        if lost_since is None or ended is None or self._reported_missing_at is not None or not self._score_read:
            return
        if ended - lost_since < HUD_LOST_AT_END_S:
            return
        self.reader.stats.hud_not_found += 1
        logger.warning(
            "the stream ended with the scoreboard read before not found for its last %.0f s (searched for since "
            "%.1f s of stream): any goal shown then was missed",
            ended - lost_since,
            lost_since,
        )

    def _tail_decodable(self) -> bool:
        """A tail is only worth decoding with the HUD located, its codes confirmed (so only its rows are
        needed) and a visible frame to compare with."""
        return self.reader.layout is not None and self.reader.teams is not None and self._last_visible is not None

    def _observe_tail(
        self, segment: SegmentMedia, awaiting: Callable[[], bool], live_edge: Callable[[], bool]
    ) -> Iterator[FrameObservation]:
        """Decode the segment's frames after the last visible one; read a change they show, and confirm.

        Only the last frame showing the HUD is compared with the last visible frame (as keyframes are
        compared with each other); the others are looked at only when it differs, to find the first
        frame of the change, from the same decoded frames. Given up as soon as ``live_edge()`` is False.
        """
        reference = self._last_visible
        assert reference is not None
        bands = self._tail_bands(segment, reference, live_edge)
        if bands is None:
            return
        self.segments_tail_decoded += 1
        self._tail_checked.append(segment.sequence)
        last = self._last_showing_hud(bands)
        if last is None:
            return  # the HUD is hidden to the segment's end: the next visible frame compares with the reference
        last_frame, last_mask = last
        masked_on = self.reader.layout
        earlier = self._unchecked_frames(reference, segment.sequence)
        frames = chain(earlier, (band.frame() for band in bands))
        yield from self._search_back_if_changed(reference, last_frame, last_mask, frames)
        visible = self._in_current_layout(last_mask, masked_on, last_frame.image)
        if visible is not None:
            yield from self._confirming(bands, visible, awaiting)
        at = last_frame.stream_time
        self._last_visible = None if visible is None else _VisibleFrame(segment.sequence, at, visible)

    def _tail_bands(
        self, segment: SegmentMedia, reference: _VisibleFrame, live_edge: Callable[[], bool]
    ) -> list[_HudBand] | None:
        """The HUD rows of the segment's frames after ``reference``; None when the next segment arrived
        first (the tail is abandoned: its keyframe will compare with ``reference``) or they cannot be decoded."""
        top, bottom = self._hud_band()
        frames = all_frames(segment, rows=self._hud_rows())
        bands: list[_HudBand] = []
        try:
            for frame in frames:
                if not live_edge():
                    self.segments_tail_abandoned += 1
                    logger.debug("segment %d: tail abandoned, the next segment is waiting", segment.sequence)
                    return None
                if frame.stream_time > reference.stream_time:
                    bands.append(_HudBand.of(frame, top, bottom))
        except UndecodableSegment as error:
            logger.info("segment %d: only its keyframe could be decoded (%s)", segment.sequence, error)
            return None
        finally:
            frames.close()
        return bands

    def _last_showing_hud(self, bands: list[_HudBand]) -> tuple[TimedFrame, NDArray[np.bool_]] | None:
        """The last of ``bands`` that shows the HUD, with its score mask (looked for from the end)."""
        for band in reversed(bands):
            frame = band.frame()
            mask = self._score_mask(frame.image)
            if mask is not None:
                return frame, mask
        return None

    def _confirming(
        self,
        bands: Iterable[_HudBand],
        mask: NDArray[np.bool_],
        awaiting: Callable[[], bool],
        *,
        anchored: bool = True,
    ) -> Iterator[FrameObservation]:
        """While a score is being confirmed, read frames already decoded that show ``mask``, spaced apart.

        A frame that does not read counts as read for the spacing, and at most ``CONFIRMING_ATTEMPTS`` are
        read: a score that reads now and then must not cost an OCR call on every frame of the segment. Reads go on
        while the score is unconfirmed, not only for ``CONFIRMING_READS``: a keyframe that misread left its
        score short of a read (dev-308: 0-8 on the keyframe, 0-0 on the next two frames; 0-0 never confirmed, the
        match joined at its first goal's score).

        Unless ``anchored`` (``mask`` is of a frame that read), the first frame that reads gives the mask the others
        must show. Why: a goal's keyframe caught in its animation shows no score to compare with (dev-800: a flash
        turning the cells over at 32.0 s; the frames after it, the HUD as it stands, all differed from it and none
        was read; 1-1 read twice before, the replay hid the HUD till the stream ended, the goal lost, said).
        """
        reads = attempts = 0
        for band in bands:
            if attempts >= CONFIRMING_ATTEMPTS or not awaiting():
                return
            if self._too_close_to_last_read(band.stream_time):
                continue
            frame = band.frame()
            shown = self._score_mask(frame.image)
            if shown is None or (anchored and score_mismatch(shown, mask) > MASK_MISMATCH_CHANGED):
                continue
            attempts += 1
            masked_on = self.reader.layout
            reading = self.reader.read(frame.image, fresh=True)
            self._last_read_s = frame.stream_time
            reference = shown if reading is not None and not anchored else mask
            remasked = self._in_current_layout(reference, masked_on, frame.image)
            if remasked is None:
                return
            mask = remasked
            if reading is None:
                continue
            anchored = True
            reads += 1
            yield FrameObservation(frame.at, frame.stream_time, reading)

    def _in_current_layout(
        self, mask: NDArray[np.bool_], masked_on: HudLayout | None, image: NDArray[np.uint8]
    ) -> NDArray[np.bool_] | None:
        """``mask``, made of ``image`` with the layout ``masked_on``, or made again if a read since found the HUD
        anew (dev-62: a widget was taken first, then the HUD). A mask of the old boxes differs from every later
        frame's: a search back from it took the first frame after it for the change (a goal stamped 1.6 s late),
        and confirming reads compared with it found nothing to read."""
        return mask if self.reader.layout is masked_on else self._score_mask(image)

    def _score_mask(self, image: NDArray[np.uint8]) -> NDArray[np.bool_] | None:
        """``reader.score_mask(image)``, reused from the last frame masked when the pixels around the
        HUD's code and score boxes are the same (a static HUD over a still or skipped area: ~2 frames
        in 3 of a search back). The mask depends on nothing else, so this changes no result.

        Relies on the reader reading only inside those boxes, and replacing its layout (never editing it).
        """
        layout = self.reader.layout
        if layout is None:
            return None
        margin = round(SAME_PIXELS_MARGIN_TEXT_HEIGHTS * layout.text_height_px)
        area = bounding([layout.home.box, layout.away.box, *(part.box for part in layout.score)])
        pixels = Box(area.left - margin, area.top - margin, area.right + margin, area.bottom + margin).crop(image)
        last = self._last_mask
        if last is not None and last.layout is layout and np.array_equal(last.pixels, pixels):
            return last.mask
        mask = self.reader.score_mask(image)
        self._last_mask = _MaskedPixels(layout, pixels.copy(), mask)
        return mask

    def _hud_rows(self) -> int | None:
        """How many rows from the top a keyframe needs for the located HUD; None: the whole frame.

        Down to the HUD's lowest box while the last keyframe showed it: reading and masking look inside the boxes
        only. Once it went missing, a text height below that (``HudLayout.rows_needed``): a search near it looks
        there (``HudLayout.band``), and only then. Why: the text height of rows below the boxes was ~20 % of the
        rows decoded on every keyframe at 1080p (bench CPU -2.6 %, no reading changed on six suites). A HUD low in
        the frame (a bottom scoreboard) gains nothing from a partial decode. Until the team codes are confirmed,
        reading may search the whole frame for them: a top decoded first would be decoded again whole.
        """
        layout = self.reader.layout
        if layout is None or self._frame_height is None or self.reader.teams is None:
            return None
        rows = layout.rows_needed if self._keyframes_without_hud else layout.extent.bottom
        return rows if rows <= TOP_DECODE_MAX_SHARE * self._frame_height else None

    def _hud_band(self) -> tuple[int, int]:
        """The rows a tail's frames are kept for: the HUD's parts with a text height's margin (from the
        top of the frame when only the top was decoded)."""
        layout = self.reader.layout
        assert layout is not None and self._frame_height is not None
        bottom = min(layout.rows_needed, self._frame_height)
        top = 0 if self._hud_rows() is not None else max(layout.extent.top - layout.text_height_px, 0)
        return top, bottom

    @staticmethod
    def _whole(segment: SegmentMedia, keyframe: TimedFrame) -> TimedFrame:
        """The keyframe decoded whole (searching the frame for the HUD needs every row)."""
        if keyframe.whole:
            return keyframe
        return first_frame(segment) or keyframe

    def _keyframe_mask(
        self, segment: SegmentMedia, keyframe: TimedFrame
    ) -> tuple[TimedFrame, NDArray[np.bool_] | None]:
        """The keyframe (decoded whole if it was searched) and its score mask; locates the HUD at start
        and after long absences."""
        reader = self.reader
        mask = self._score_mask(keyframe.image) if reader.layout is not None else None
        if mask is not None:
            self._keyframes_without_hud = self._searches_while_hidden = 0
            self._searching_since = self._reported_missing_at = None
            self._hidden_area = None
            self._layout_seen = True
            return keyframe, mask
        self._keyframes_without_hud += 1
        searching = reader.layout is None or self._keyframes_without_hud >= RELOCATE_AFTER_HIDDEN_KEYFRAMES
        if not searching:
            return keyframe, None
        if self._searching_since is None:
            self._searching_since = keyframe.stream_time
        lost = self._report_if_missing(keyframe.stream_time)
        if lost:
            every = RELOCATE_EVERY_KEYFRAMES_WHEN_LOST
        else:
            every = 1 if reader.layout is None else RELOCATE_EVERY_KEYFRAMES  # nothing to read before a first HUD
        area_still = self._hud_area_still(keyframe)
        if (
            (every == 1 or self._keyframes_without_hud % every == 1)
            and (area_still or self._keyframes_without_hud >= RELOCATE_WHILE_MOVING_AFTER_KEYFRAMES)
            and reader.search_budget.allows("no scoreboard in view" if reader.layout is None else "the HUD is hidden")
        ):
            near = self._near_search_due()
            self._searches_while_hidden += 1
            if not (near and self._holds_hud_rows(keyframe)):
                keyframe = self._whole(segment, keyframe)
            if reader.relocate(keyframe.image, near=near):
                self._located()
                self._keyframes_without_hud = self._searches_while_hidden = 0
                self._searching_since = self._reported_missing_at = None
                return keyframe, self._score_mask(keyframe.image)
        return keyframe, None

    def _near_search_due(self) -> bool:
        """Whether this search looks only at the rows of the HUD known now: a HUD that was read, with a clock
        beside it (one without may be a streamer's widget taken before the HUD showed: the HUD is elsewhere),
        except on every ``WHOLE_SEARCH_EVERY``-th search since it was hidden."""
        layout = self.reader.layout
        return (
            self._layout_read
            and layout is not None
            and layout.clock is not None
            and self._searches_while_hidden % WHOLE_SEARCH_EVERY != WHOLE_SEARCH_EVERY - 1
        )

    def _holds_hud_rows(self, keyframe: TimedFrame) -> bool:
        """Whether ``keyframe`` was decoded down to the rows a search near the known HUD looks at."""
        layout = self.reader.layout
        assert layout is not None
        return keyframe.whole or (keyframe.exact_rows or 0) >= layout.rows_needed

    def _located(self) -> None:
        """A HUD was (re)located: nothing known of the one before applies to it. Once one was read, its first
        reading may look back to the last frame read before (``_looks_back_anew``)."""
        if self._score_read and self._found_anew_after_s is None:
            self._found_anew_after_s, self._score_before = self._last_read_s, self._last_score
        self._layout_seen = self._layout_read = False
        self._keyframes_on_layout = 0
        self._last_visible = None

    def _hud_area_still(self, keyframe: TimedFrame) -> bool:
        """True when the known HUD's area looks the same as on the previous keyframe without it (or
        no HUD is known: then the whole frame is searched on the usual cadence)."""
        layout = self.reader.layout
        if layout is None or not self._layout_seen:
            return True  # a layout never seen again since it was found may be wrong: keep searching
        area = bounding([layout.home.box, layout.away.box, *(part.box for part in layout.score)])
        pixels = gray(area.crop(keyframe.image))
        previous, self._hidden_area = self._hidden_area, pixels
        if previous is None or previous.shape != pixels.shape or pixels.size == 0:
            return True
        if float(np.abs(pixels.astype(np.int16) - previous).mean()) < HUD_AREA_STILL_GREY_LEVELS:
            return True
        return _edges_kept(previous, pixels) >= HUD_AREA_STILL_EDGES

    def _report_if_missing(self, stream_time: float) -> bool:
        """Warn (and count) when a search has found nothing for a minute of stream; True once reported."""
        assert self._searching_since is not None
        since = self._reported_missing_at if self._reported_missing_at is not None else self._searching_since
        if stream_time - since >= HUD_NOT_FOUND_AFTER_S:
            search = self.reader.last_search
            logger.warning(
                "no scoreboard found for %.0f s of stream (%d searches; last one looked at the %s band(s) of the "
                "frame, %d text rows, %d read; the row most like a HUD read %r): goals cannot be detected until "
                "a HUD with 'CODE score score CODE' is on screen; still looking",
                stream_time - self._searching_since,
                self.reader.stats.locate_attempts,
                " and ".join(search.bands) or "no",
                search.rows,
                search.rows_read,
                search.best,
            )
            self.reader.stats.hud_not_found += 1
            self._reported_missing_at = stream_time
        return self._reported_missing_at is not None

    def _too_close_to_last_read(self, stream_time: float) -> bool:
        """Whether ``_confirming`` would pass over a frame at ``stream_time`` (it need not be decoded)."""
        return stream_time - self._last_read_s < CONFIRMING_SPACING_S

    def _too_close_to_search_read(self, stream_time: float) -> bool:
        """Whether ``_search_back`` would pass over a frame at ``stream_time``: too close to its last read."""
        return stream_time - self._search_read_s < CONFIRMING_SPACING_S

    def _unchecked_frames(self, previous: _VisibleFrame, before_sequence: int) -> Iterator[TimedFrame]:
        """Every frame after ``previous`` in the segments before ``before_sequence``, decoded now, except
        those of segments whose tail was already examined."""
        window = [
            s
            for s in self._recent
            if previous.sequence <= s.sequence < before_sequence and s.sequence not in self._tail_checked
        ]
        rows = self._hud_rows()
        for segment in window:
            self.segments_fully_decoded += 1
            for frame in all_frames(segment, rows=rows, skippable=self._too_close_to_search_read):
                if segment.sequence == previous.sequence and frame.stream_time <= previous.stream_time:
                    continue
                yield frame

    def _search_back_if_changed(
        self, previous: _VisibleFrame, frame: TimedFrame, mask: NDArray[np.bool_], frames: Iterable[TimedFrame]
    ) -> Iterator[FrameObservation]:
        """Search ``frames`` (those between ``previous`` and ``frame``) for the first showing the score ``frame``
        shows, if it differs from ``previous``'s.

        A mask that changed little (between 'same' and 'changed': a 2 becoming a 3 in a condensed bold face; or the
        same within a pixel but not exactly, ``same_glyphs``: dev-1044's 14 px '2' and '3') is a change
        only when ``frame`` reads another score than the last one read; the frames are then told apart by which of
        the two masks they are nearer, as no fixed threshold separates masks that close.
        """
        mismatch = score_mismatch(mask, previous.mask)
        # A change no frame has read since (``previous`` among its frames) goes on in this search: its first read
        # may show the pixels of that change's frames.
        carried = self._unread_run
        unread = list(carried)
        changed_from = self._unread_from if carried and self._unread_from is not None else previous.mask
        # Within a pixel, small digits of the next number may be the same glyphs: told apart exactly then.
        tolerance_px = 1 if mismatch > MASK_MISMATCH_SAME else 0
        if mismatch > MASK_MISMATCH_CHANGED:
            yield from self._search_back(previous, frames, changed_to=mask, unread=unread, changed_from=changed_from)
        elif not same_glyphs(mask, previous.mask) and self._reads_another_score(frame):
            yield from self._search_back(
                previous, frames, towards=mask, tolerance_px=tolerance_px, unread=unread, changed_from=changed_from
            )
        first = _first_showing(unread, mask, changed_from)
        reading = None
        if first is not None:
            # No frame searched read: those showing the later frame's pixels show its score.
            reading = self.reader.read(frame.image, fresh=True)
            if reading is not None:
                yield FrameObservation(first.at, first.stream_time, reading)
        if unread and reading is None:
            if self._unread_change_s is None:
                self._unread_change_s = unread[0].stream_time
            if not carried:
                self._unread_from = previous.mask
            self._unread_run = unread

    def _stamped_at_unread_run(
        self,
        keyframe: TimedFrame,
        mask: NDArray[np.bool_] | None,
        reading: ScoreboardReading | None,
        *,
        same_layout: bool,
    ) -> Iterator[FrameObservation]:
        """The keyframe's reading stamped at the first of the last unread frames that show its pixels, when it is
        the first to read since a search back read none of them (``_first_showing``, across keyframes).

        Why: a search back that reads nothing leaves the change to the next keyframe that reads; one that read
        nothing either (its pixels those of the change) passed it on again. dev-221's '1', on a yellow cell, read
        '9' by its outline from its first frame until a keyframe read it by its fill: the goal was stamped at that
        keyframe, 3.2 s late, though every frame since the change showed its pixels.
        """
        if not same_layout or mask is None:
            self._unread_run = []  # the HUD hidden, or found again: those frames' masks are not comparable
            return
        if reading is None:
            if self._unread_run:
                self._unread_run.append(_UnreadFrame(keyframe.at, keyframe.stream_time, mask))
            return
        run, self._unread_run = self._unread_run, []
        first = None if self._unread_from is None else _first_showing(run, mask, self._unread_from)
        if first is not None:
            yield FrameObservation(first.at, first.stream_time, reading)

    def _reads_another_score(self, frame: TimedFrame) -> bool:
        """Whether ``frame`` read afresh shows another score than the last reading (False when either is None).

        Only with the teams confirmed: confirming them may search the whole frame, which this frame may lack.
        """
        before = self.reader.last_reading
        if before is None or self.reader.teams is None:
            return False
        reading = self.reader.read(frame.image, fresh=True)
        self._last_read_s = frame.stream_time
        return reading is not None and reading.score != before.score

    def _search_back(
        self,
        previous: _VisibleFrame,
        frames: Iterable[TimedFrame],
        *,
        towards: NDArray[np.bool_] | None = None,
        changed_to: NDArray[np.bool_] | None = None,
        tolerance_px: int = 1,
        unread: list[_UnreadFrame],
        changed_from: NDArray[np.bool_] | None = None,
    ) -> Iterator[FrameObservation]:
        """Read the first of ``frames`` showing a change from ``previous``, and frames confirming it.

        A frame shows the change when its mask differs from ``previous``'s by more than 'changed', or, given the mask of
        a frame showing the change (``towards``), when it is nearer that one (within ``tolerance_px``). Given the mask
        of the frame that showed the change changed by more than 'changed' (``changed_to``), a frame not the same
        as ``previous`` and nearer that one shows it too: the goal's own frames may differ from the score before by less
        than 'changed' where the keyframe after them, compressed otherwise, differs by more (dev-1284's 12 px mono
        '1' to '2': 0.038 on the frames from the goal, 0.048 on the next keyframe; no frame searched was taken for
        the change, and the goal was stamped at the keyframe, 1.07 s late). The changed
        frames that did not read before the first that did are put in ``unread``; the first read is stamped at the first
        of the run of them just before it that show its pixels (``_first_showing``): they show its score, unread. So is
        a frame read beyond a jump and refused: dev-56's italic '0' read '4' on the goal's first frame (0-0 to 4-1), no
        frame read for 1.2 s, then 0-1 on the same pixels, stamped there. ``unread`` may hold the frames of a change no
        frame has read since (a search before this one's): ``changed_from`` is then the mask of the score that change
        was from (else ``previous``'s). A frame unlike the change read and unlike the score before it that reads another
        score is a second change: dev-1051's search read 0-1 once on a frame before its goal (a crest beside a gradient
        cell misread), passed over the goal's frames as unlike that read, and the goal was stamped 1.1 s late at the
        keyframe. Such frames are read once per confirming spacing, and unreadable ones change nothing: taken for a
        change whatever they read, a replay's wipe after a goal was read frame by frame (OCR calls +4-14 % on every
        suite).

        A changed frame that reads the score read before it is not the change: its pixels differ by what else
        the score's boxes hold (a cell's edge in one frame's compression, not the next's), and the search goes
        on, comparing with it. Why: such a frame, read three times, ended the search with the change unfound;
        it was stamped at the next keyframe (dev-302: 0.4 s late). Nor is one that reads the score the goal detector
        holds, when a search since read another: dev-967's search back at 18 s misread '6-0' once (refused), and the
        next one, from 20 s, took three reads of the unchanged 0-0 for a change from it and ended before the goal at
        18.97 s, which was stamped 1.03 s late at the keyframe.
        """
        changed_mask: NDArray[np.bool_] | None = None
        reference = previous.mask
        changed_from = reference if changed_from is None else changed_from
        before = self.reader.last_reading
        # Scores that are no change: the last read, and the one the goal detector holds (the last read may be a
        # search's misread it refused).
        known = [] if before is None else [before.score]
        known += [] if self._confirmed is None or (holds := self._confirmed()) is None else [holds]
        held: FrameObservation | None = None  # a first read beyond a jump from ``before``, until one like it reads so
        read_score: Score | None = None  # the score of the change read
        peeked_s = float("-inf")  # the last frame read for a second change
        self._search_read_s = float("-inf")
        reads = 0
        for frame in frames:
            if changed_mask is not None and self._too_close_to_search_read(frame.stream_time):
                continue  # too close to the last read to confirm it (known before masking it)
            mask = self._score_mask(frame.image)
            if mask is None:
                continue
            second: ScoreboardReading | None = None  # this frame's reading, when read as a second change
            if (
                held is not None
                and changed_mask is not None
                and score_mismatch(mask, changed_mask) > MASK_MISMATCH_CHANGED
            ):
                held = changed_mask = None  # the held read was of a frame of the change's animation
            if changed_mask is None:
                if towards is None:
                    moved = score_mismatch(mask, reference)
                    unlike = moved > MASK_MISMATCH_CHANGED or (
                        changed_to is not None
                        and not same_glyphs(mask, reference)
                        and moved > score_mismatch(mask, changed_to)
                    )
                else:
                    nearer = score_mismatch(mask, towards, tolerance_px=tolerance_px)
                    unlike = score_mismatch(mask, reference, tolerance_px=tolerance_px) > nearer
                if not unlike:
                    continue
                changed_mask = mask
            elif score_mismatch(mask, changed_mask) > MASK_MISMATCH_CHANGED:
                if held is not None or reads == 0 or score_mismatch(mask, reference) <= MASK_MISMATCH_CHANGED:
                    continue
                # Unlike the change read and unlike the score before it: a second change when it reads another score
                # (read once per confirming spacing: a replay's wipe is such frames, none of them readable).
                if frame.stream_time - peeked_s < CONFIRMING_SPACING_S:
                    continue
                second = self.reader.read(frame.image, fresh=True)
                peeked_s = frame.stream_time  # spaced apart, and not from the confirming reads (dev-1053)
                beyond = before is not None and second is not None and _beyond_a_jump(before, second)
                if second is None or second.score == read_score or beyond:
                    continue
                changed_mask, reads = mask, 0
            reading = second or self.reader.read(frame.image, fresh=True)
            if reading is None:
                if reads == 0 and held is None:
                    changed_mask = None  # a transition frame: the next changed frame is the candidate
                    unread.append(_UnreadFrame(frame.at, frame.stream_time, mask))
                continue
            if held is not None:
                if held.reading is not None and reading.score == held.reading.score:
                    yield held  # read so again on a frame like it: the change's own pixels, misread
                    unread.clear()
                    reads += 1
                held = None
            if reads == 0 and before is not None and reading.teams == before.teams and reading.score in known:
                reference, changed_mask, changed_from = mask, None, mask
                unread.clear()
                yield FrameObservation(frame.at, frame.stream_time, reading)
                continue
            first = _first_showing(unread, mask, changed_from) if reads == 0 else None
            shown = frame if first is None else first
            observation = FrameObservation(shown.at, shown.stream_time, reading)
            if reads == 0 and before is not None and _beyond_a_jump(before, reading):
                # Held: a misread of the change's animation (0-1 read 10-1 as the '2' came in) would anchor the
                # search, and the frames after it that show the change, unlike it, would be passed over (unseen-04:
                # stamped 0.6 s late). One like it that reads so too shows the change's own pixels, misread (dev-221's
                # '1' read '4' by its outline on every frame): the change starts where the held read said.
                held = observation  # the next frame is read at once: its own first frame, if the change's
                unread.append(_UnreadFrame(frame.at, frame.stream_time, mask))  # refused, so unread; its pixels stay
                continue
            unread.clear()
            yield observation
            self._last_read_s = self._search_read_s = frame.stream_time
            read_score = reading.score
            reads += 1
            if reads > CONFIRMING_READS:
                return
