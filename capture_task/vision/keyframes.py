"""Decodes a segment's first frame (its keyframe) straight from MPEG-TS bytes, as grey.

Why not a demuxer here: opening a segment through FFmpeg's demuxers probes its streams and, for
one keyframe per 2 s segment, that was over half the capture task's CPU at 1080p. Instead, the
first video PES packet is taken out of the transport stream by hand (188-byte packets, PAT ->
PMT -> video PID), fed to one long-lived decoder per thread, and the luma plane is kept: the
reader works in grey anyway. No demuxer and no protocol is involved, so nothing in the bytes can
make FFmpeg open anything else.

Why only the top of it, most of the time: a 1080p keyframe of a Twitch-like stream is ~300 KB,
and decoding it whole costs ~50 ms on one core, the whole budget of a 2 s segment at 40x realtime.
The HUD usually sits in the top tenth of the frame. H.264 codes macroblocks in raster order, so
a keyframe cut short decodes exactly down to where its bytes end; FFmpeg then reports the
macroblock where it ran out ("error while decoding MB x y"), and every row above the macroblock row
before that one is bit-exact, but for the 3 px the deblocking filter reaches (``exact_rows_above``),
when no cut CAVLC picture was decoded before it by the same decoder (see ``_cut_decoder``).
``decode_keyframe(data, rows=...)`` decodes just enough bytes for the rows asked for, learns how many
bytes a row takes, and falls back to the whole frame whenever it cannot prove the rows are exact.

fMP4 segments, and anything this cannot parse, go the demuxer way (``frames.first_frame``).
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import av
import av.logging
import cv2
import numpy as np
from numpy.typing import NDArray

TS_PACKET = 188
_SYNC = 0x47
_VIDEO_STREAM_TYPES = {0x1B: "h264", 0x24: "hevc"}
_TOP_DECODABLE = {"h264"}
"""Codecs whose decoder says where a cut keyframe ran out (HEVC is always decoded whole)."""
# Studio-range luma (16-235) stretched to full range, so grey levels match OpenCV's BGR -> grey.
_FULL_RANGE = np.clip((np.arange(256) - 16) * 255 / 219, 0, 255).round().astype(np.uint8)
_FULL_RANGE_TAG = 2  # AVCOL_RANGE_JPEG: the luma is already full range
MACROBLOCK_PX = 16
DEBLOCK_REACH_PX = 3
"""H.264's deblocking filter changes at most 3 luma pixels on each side of a macroblock edge."""
TOP_DECODE_MAX_SHARE = 0.6
"""Asked for more than this share of the frame's rows, the whole frame is decoded at once."""
BYTES_MARGIN = 1.2
"""A cut holds this many times the bytes the rows needed took on the last cuts (see :class:`_RowCost`).
Decoding costs ~0.14 ms per KB at 1080p and a cut too short is decoded again, longer: 1.3 spent ~12 %
more than 1.2 on the bench's 1080p keyframes (simulated from each keyframe's rows reached at every 4 KB
of cut); 1.1 and 1.15 were cut short too often."""
RETRY_GROWTH = 1.2
RETRY_MARGIN = 1.05
"""A cut that fell short is followed by one at least this much longer, or holding this many times the
bytes the rows needed took on this very keyframe (a better guess than the last one): doubling
decoded ~2x what was needed; a margin of 1.05 rather than 1.1 spent ~2 % less (simulated as above, on
the bench's 720p30, 1080p30 and 1080p60 keyframes at every 3 KB of cut)."""
ROW_COST_CUTS = 3
"""Bytes per row are averaged over this many last cuts: the last one alone, thrown off by one keyframe's
crowd, spent ~4 % more (simulated as above)."""
_RAN_OUT = re.compile(r"error while decoding MB (\d+) (\d+)")

_local = threading.local()


@dataclass(frozen=True)
class Keyframe:
    """A keyframe as full-range grey, and how many of its rows (from the top) are decoded exactly."""

    image: NDArray[np.uint8]
    exact_rows: int

    @property
    def whole(self) -> bool:
        return self.exact_rows >= self.image.shape[0]


def _section(payload: bytes) -> bytes:
    """A PSI section without its pointer field, cut to its declared length."""
    start = 1 + payload[0]
    section = payload[start:]
    length = ((section[1] & 0x0F) << 8) | section[2]
    return section[: 3 + length]


@dataclass(frozen=True)
class VideoPes:
    """One video PES packet of a transport stream: an access unit (a frame's bytes) as muxers write HLS.

    ``pts``/``dts`` in 90 kHz ticks, None when the header has none.
    """

    pts: int | None
    dts: int | None
    data: bytes


def _timestamp(field: NDArray[np.uint8]) -> int:
    """A PES header's 33-bit PTS or DTS from its 5 bytes."""
    b = [int(x) for x in field]
    return ((b[0] >> 1) & 0x07) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1


def _video_pid(packets: NDArray[np.uint8]) -> tuple[int, str, int] | None:
    """(video PID, codec, index of the packet after its PMT) from the PAT and PMT at the stream's start."""
    pmt_pid: int | None = None
    for index, packet in enumerate(packets):
        if packet[0] != _SYNC:
            return None
        unit_start = bool(packet[1] & 0x40)
        pid = ((int(packet[1]) & 0x1F) << 8) | int(packet[2])
        adaptation = (packet[3] >> 4) & 0x3
        if not adaptation & 0x1 or not unit_start:
            continue
        payload = packet[4 + (1 + int(packet[4]) if adaptation & 0x2 else 0) :].tobytes()
        if pid == 0 and pmt_pid is None:
            programs = _section(payload)[8:-4]
            for at in range(0, len(programs) - 3, 4):
                if (programs[at] << 8 | programs[at + 1]) != 0:
                    pmt_pid = ((programs[at + 2] & 0x1F) << 8) | programs[at + 3]
                    break
        elif pid == pmt_pid:
            section = _section(payload)
            at = 12 + (((section[10] & 0x0F) << 8) | section[11])
            while at + 5 <= len(section) - 4:
                if section[at] in _VIDEO_STREAM_TYPES:
                    return (
                        ((section[at + 1] & 0x1F) << 8) | section[at + 2],
                        _VIDEO_STREAM_TYPES[section[at]],
                        index + 1,
                    )
                at += 5 + (((section[at + 3] & 0x0F) << 8) | section[at + 4])
            return None
    return None


def _payloads(packets: NDArray[np.uint8], rows: NDArray[np.intp], starts: NDArray[np.int32]) -> bytes:
    """The payloads of ``packets[rows]`` joined; runs of packets without an adaptation field are
    copied as one block (all but a PES packet's first and last, usually)."""
    plain = starts == 4
    pieces: list[bytes] = []
    at = 0
    while at < len(rows):
        if plain[at]:
            run_end = at + int(np.argmin(plain[at:])) if not plain[at:].all() else len(rows)
            pieces.append(packets[rows[at:run_end], 4:].tobytes())
            at = run_end
        else:
            pieces.append(packets[rows[at], int(starts[at]) :].tobytes())
            at += 1
    return b"".join(pieces)


def video_pes_packets(data: bytes, *, first_only: bool = False) -> tuple[str, list[VideoPes]] | None:
    """(codec, the video PES packets in stream order) of a transport stream, or None if it is not one
    (or a packet lost its sync byte: the demuxer, which resynchronises, is left to read those bytes).

    Packets are handled as a numpy array (one row per 188-byte packet) rather than one by one in
    Python: a 1080p keyframe spans ~3,000 packets, which a Python loop took ~4 ms to walk.
    """
    count = len(data) // TS_PACKET
    if count == 0:
        return None
    packets = np.frombuffer(data, np.uint8, count * TS_PACKET).reshape(count, TS_PACKET)
    found = _video_pid(packets)
    if found is None:
        return None
    video_pid, codec, after_pmt = found
    pids = ((packets[:, 1].astype(np.int32) & 0x1F) << 8) | packets[:, 2]
    has_payload = (packets[:, 3] >> 4) & 0x1 == 1
    video = np.flatnonzero((pids == video_pid) & has_payload & (np.arange(count) >= after_pmt))
    unit_starts = np.flatnonzero(packets[video, 1] & 0x40)
    if unit_starts.size == 0:
        return None
    bounds = [*unit_starts, len(video)]
    if first_only:
        bounds = bounds[:2]
    last_packet = int(video[bounds[-1] - 1])
    if np.any(packets[: last_packet + 1, 0] != _SYNC):
        return None
    has_adaptation = (packets[video, 3] >> 4) & 0x2 == 2
    payload_start = 4 + np.where(has_adaptation, 1 + packets[video, 4].astype(np.int32), 0)
    units: list[VideoPes] = []
    for first, end in pairwise(bounds):
        elementary = _payloads(packets, video[first:end], payload_start[first:end])
        if len(elementary) < 9 or elementary[:3] != b"\x00\x00\x01":
            continue
        flags, header_end = elementary[7] >> 6, 9 + elementary[8]
        header = np.frombuffer(elementary, np.uint8, min(header_end, len(elementary)))
        pts = _timestamp(header[9:14]) if flags & 0x2 and len(header) >= 14 else None
        dts = _timestamp(header[14:19]) if flags == 0x3 and len(header) >= 19 else pts
        if header_end < len(elementary):
            units.append(VideoPes(pts, dts, elementary[header_end:]))
    return (codec, units) if units else None


def first_video_access_unit(data: bytes) -> tuple[str, bytes] | None:
    """(codec, elementary-stream bytes) of the first video PES packet of a transport stream, or None."""
    found = video_pes_packets(data, first_only=True)
    return None if found is None else (found[0], found[1][0].data)


def _decoder(codec: str, *, concealment: bool = True) -> Any:
    """A new decoder for one keyframe: whole, or cut short without concealment (see :func:`_cut_decoder`)."""
    context = av.CodecContext.create(codec, "r")
    context.thread_count = 1  # one core per capture task; frame threads would add a frame of delay
    if not concealment:
        # Rows past the cut are left alone instead of being painted over: cheaper, and never mistaken for
        # picture because only rows proven exact are used.
        context.options = {"ec": "0"}
    return context


def _cut_decoder(codec: str, *, arithmetic: bool) -> tuple[Any, bool]:
    """(decoder, whether it is kept) for one cut keyframe: this thread's kept one for CABAC, a new one
    for CAVLC.

    Why: after a cut CAVLC picture (x264's ultrafast) FFmpeg's H.264 decoder keeps state that
    ``flush_buffers`` does not clear, and the next picture it decodes, CAVLC or CABAC, differs from the
    true one far above where its own bytes end. On main, with one decoder kept per thread, 144 of 1,143
    cut keyframes of the four CAVLC dev streams (04, 06, 08, 13) were wrong from row 0-4 down, inside
    the rows claimed exact; ~20 cuts of every fourth keyframe in a row on one decoder: 287 of 415 CAVLC
    cuts wrong, and 2 of 2,044 CABAC cuts, both the first keyframe after a CAVLC stream. With a new
    decoder for each CAVLC cut, none (CABAC cuts with no CAVLC cut before them: none wrong either). A new
    decoder costs ~2.5 ms more a decode (buffers allocated for its first picture): kept for CABAC.
    """
    if not arithmetic:
        return _decoder(codec, concealment=False), False
    decoders: dict[str, Any] = _local.__dict__.setdefault("cut_decoders", {})
    if codec not in decoders:
        decoders[codec] = _decoder(codec, concealment=False)
    return decoders[codec], True


def full_range_grey(frame: Any, rows: int | None = None) -> NDArray[np.uint8]:
    """A decoded frame's luma plane as full-range grey (its top ``rows`` only, when given)."""
    plane = frame.planes[0]
    height = frame.height if rows is None else min(rows, frame.height)
    luma = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)[:height, : frame.width]
    if frame.color_range == _FULL_RANGE_TAG:
        return luma.copy()
    grey: NDArray[np.uint8] = cv2.LUT(luma, _FULL_RANGE).astype(np.uint8, copy=False)  # 4x faster than numpy
    return grey


def decode_keyframe(data: bytes, rows: int | None = None) -> Keyframe | None:
    """The first frame of an MPEG-TS segment as full-range grey, or None if it cannot be had this way.

    With ``rows``, only as many bytes are decoded as the top ``rows`` need (at least those rows are
    exact; the rest of the image is black). Without, or when that cannot be proven, the whole frame.
    """
    unit = first_video_access_unit(data)
    if unit is None:
        return None
    codec, elementary = unit
    if rows is not None and codec in _TOP_DECODABLE:
        top = _decode_top(codec, elementary, rows)
        if top is not None:
            return top
    decoder = _decoder(codec)
    try:
        packets = decoder.parse(elementary) + decoder.parse(None)
        frames = [frame for packet in packets for frame in decoder.decode(packet)]
        if not frames:
            frames = list(decoder.decode(None))
    except av.error.FFmpegError:
        frames = []
    if not frames:
        return None
    grey = full_range_grey(frames[0])
    return Keyframe(grey, grey.shape[0])


@dataclass
class _RowCost:
    """Bytes of the keyframe's slice data per macroblock row, learned from the last cut decodes."""

    recent: deque[float] = field(default_factory=lambda: deque(maxlen=ROW_COST_CUTS))

    @property
    def bytes_per_row(self) -> float | None:
        return sum(self.recent) / len(self.recent) if self.recent else None


def _row_cost(codec: str) -> _RowCost:
    costs: dict[str, _RowCost] = _local.__dict__.setdefault("row_costs", {})
    return costs.setdefault(codec, _RowCost())


def _first_slice_offset(elementary: bytes) -> int | None:
    """Byte offset of the first coded slice NAL unit (IDR or not) of an Annex B access unit."""
    position = elementary.find(b"\x00\x00\x01")
    while position >= 0 and position + 3 < len(elementary):
        if elementary[position + 3] & 0x1F in (1, 5):
            return position
        position = elementary.find(b"\x00\x00\x01", position + 3)
    return None


def non_reference_picture(elementary: bytes) -> bool:
    """Whether an H.264 access unit (Annex B) is a picture no other picture is predicted from: its slices'
    ``nal_ref_idc`` is 0 (the spec has every slice of a picture say the same). False when it holds no slice."""
    start = _first_slice_offset(elementary)
    return start is not None and elementary[start + 3] & 0x60 == 0


def non_reference_sample(sample: bytes, length_size: int) -> bool:
    """``non_reference_picture`` for an MP4 sample, whose NAL units are each led by their length in
    ``length_size`` bytes (the ``avcC`` box says how many) instead of a start code."""
    at = 0
    while at + length_size < len(sample):
        length = int.from_bytes(sample[at : at + length_size], "big")
        header = sample[at + length_size]
        if header & 0x1F in (1, 5):
            return header & 0x60 == 0
        at += length_size + length
    return False


def _arithmetic_coded(elementary: bytes) -> bool:
    """Whether the access unit's picture parameter set says CABAC (``entropy_coding_mode_flag``);
    False when it holds none (then it is treated as CAVLC: a new decoder, always right)."""
    position = elementary.find(b"\x00\x00\x01")
    while 0 <= position < len(elementary) - 4:
        if elementary[position + 3] & 0x1F == 8:
            payload = elementary[position + 4 : position + 12].replace(b"\x00\x00\x03", b"\x00\x00")
            bits = "".join(f"{byte:08b}" for byte in payload)
            at = 0
            for _field in ("pic_parameter_set_id", "seq_parameter_set_id"):  # two ue(v)
                zeros = bits.find("1", at) - at
                if zeros < 0:
                    return False
                at += 2 * zeros + 1
            return at < len(bits) and bits[at] == "1"
        position = elementary.find(b"\x00\x00\x01", position + 3)
    return False


@contextmanager
def _ffmpeg_errors() -> Iterator[list[tuple[int, str, str]]]:
    """FFmpeg's log lines of this thread, captured instead of printed, for the block's duration."""
    level, repeated = av.logging.get_level(), av.logging.get_skip_repeated()
    av.logging.set_level(av.logging.ERROR)
    av.logging.set_skip_repeated(False)  # an identical "ran out" line must not be swallowed
    try:
        with av.logging.Capture(local=True) as logs:
            yield logs
    finally:
        av.logging.set_skip_repeated(repeated)
        av.logging.set_level(level)


def _decode_cut(codec: str, unit: bytes, *, arithmetic: bool) -> tuple[Any, int | None] | None:
    """(frame, macroblock row FFmpeg ran out in, or None if it did not) for a possibly cut access unit;
    ``arithmetic``: whether it is CABAC-coded (see :func:`_arithmetic_coded`)."""
    decoder, kept = _cut_decoder(codec, arithmetic=arithmetic)
    try:
        with _ffmpeg_errors() as logs:
            frames = list(decoder.decode(av.Packet(unit))) or list(decoder.decode(None))
    except av.error.FFmpegError:
        return None
    finally:
        if kept:
            decoder.flush_buffers()
    if not frames:
        return None
    ran_out = [int(found.group(2)) for _level, _name, line in logs if (found := _RAN_OUT.search(line))]
    return frames[0], min(ran_out) if ran_out else None


def exact_rows_above(ran_out_row: int) -> int:
    """How many rows from the top are bit-exact in a keyframe whose decoding ran out in macroblock row
    ``ran_out_row``.

    The macroblocks decoded last before FFmpeg noticed may come from bytes past the cut (CABAC reads 2
    bytes ahead): those of the row it ran out in and, in a flat picture where a macroblock takes a few
    bits, of the row before. The rows above those are exact but for the 3 px the filter of the row below
    reaches into them. Those are the same macroblocks that made two rows untrusted before (the filter's
    reach now counted in pixels, not in a whole row): checked against whole decodes at ~20 cuts of every
    fourth keyframe of the bench suite and of the dev suite's first 16 streams (2,459 cuts, CABAC and
    CAVLC), none wrong above ``ran_out_row * 16 - 3``.
    """
    return max((ran_out_row - 1) * MACROBLOCK_PX - DEBLOCK_REACH_PX, 0)


def _decode_top(codec: str, elementary: bytes, rows: int) -> Keyframe | None:
    """The keyframe decoded only as far as its top ``rows`` need, or None (decode it whole)."""
    start = _first_slice_offset(elementary)
    if start is None:
        return None
    needed_mb_rows = -(-(rows + DEBLOCK_REACH_PX) // MACROBLOCK_PX) + 1  # the row to run out in, at least
    slice_bytes = len(elementary) - start
    arithmetic = _arithmetic_coded(elementary)
    cost = _row_cost(codec)
    cut = int(needed_mb_rows * cost.bytes_per_row * BYTES_MARGIN) if cost.bytes_per_row else slice_bytes // 4
    while cut < slice_bytes:
        decoded = _decode_cut(codec, elementary[: start + cut], arithmetic=arithmetic)
        if decoded is None:
            return None
        frame, ran_out_row = decoded
        if ran_out_row is None or getattr(frame, "interlaced_frame", False):
            return None  # stopped without saying where, or field-coded: nothing proven exact
        if frame.height > 0 and rows > TOP_DECODE_MAX_SHARE * frame.height:
            return None
        this_keyframe = cut / max(ran_out_row, 1)
        cost.recent.append(this_keyframe)
        exact_rows = exact_rows_above(ran_out_row)
        if exact_rows >= rows:
            image = np.zeros((frame.height, frame.width), np.uint8)
            image[:exact_rows] = full_range_grey(frame, exact_rows)
            return Keyframe(image, exact_rows)
        cut = max(int(cut * RETRY_GROWTH) + 1, int(needed_mb_rows * this_keyframe * RETRY_MARGIN))
    return None
