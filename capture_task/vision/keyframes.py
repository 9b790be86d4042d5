"""Decodes a segment's first frame (its keyframe) straight from MPEG-TS bytes, as grey.

Why not OpenCV here: opening a file through OpenCV's FFmpeg backend probes the streams (decoding
frames of both video and audio) and converts every frame to BGR; for one keyframe per 2 s segment
that was over half the capture task's CPU at 1080p. Instead, the first video PES packet is taken
out of the transport stream by hand (188-byte packets, PAT -> PMT -> video PID), fed to one
long-lived decoder per thread, and the luma plane is kept: the reader works in grey anyway.

fMP4 segments, and anything this cannot parse, go the OpenCV way (``frames.first_frame``).
"""

from __future__ import annotations

import threading
from typing import Any

import av
import cv2
import numpy as np
from numpy.typing import NDArray

TS_PACKET = 188
_SYNC = 0x47
_VIDEO_STREAM_TYPES = {0x1B: "h264", 0x24: "hevc"}
# Studio-range luma (16-235) stretched to full range, so grey levels match OpenCV's BGR -> grey.
_FULL_RANGE = np.clip((np.arange(256) - 16) * 255 / 219, 0, 255).round().astype(np.uint8)

_local = threading.local()


def _section(payload: bytes) -> bytes:
    """A PSI section without its pointer field, cut to its declared length."""
    start = 1 + payload[0]
    section = payload[start:]
    length = ((section[1] & 0x0F) << 8) | section[2]
    return section[: 3 + length]


def first_video_access_unit(data: bytes) -> tuple[str, bytes] | None:
    """(codec, elementary-stream bytes) of the first video PES packet of a transport stream, or None."""
    pmt_pid: int | None = None
    video_pid: int | None = None
    codec = ""
    elementary = bytearray()
    started = False
    for offset in range(0, len(data) - TS_PACKET + 1, TS_PACKET):
        packet = data[offset : offset + TS_PACKET]
        if packet[0] != _SYNC:
            return None
        unit_start = bool(packet[1] & 0x40)
        pid = ((packet[1] & 0x1F) << 8) | packet[2]
        adaptation = (packet[3] >> 4) & 0x3
        if not adaptation & 0x1:
            continue
        payload = packet[4 + (1 + packet[4] if adaptation & 0x2 else 0) :]
        if pid == 0 and pmt_pid is None and unit_start:
            programs = _section(payload)[8:-4]
            for index in range(0, len(programs) - 3, 4):
                if (programs[index] << 8 | programs[index + 1]) != 0:
                    pmt_pid = ((programs[index + 2] & 0x1F) << 8) | programs[index + 3]
                    break
        elif pid == pmt_pid and video_pid is None and unit_start:
            section = _section(payload)
            index = 12 + (((section[10] & 0x0F) << 8) | section[11])
            while index + 5 <= len(section) - 4:
                stream_type = section[index]
                if stream_type in _VIDEO_STREAM_TYPES:
                    video_pid = ((section[index + 1] & 0x1F) << 8) | section[index + 2]
                    codec = _VIDEO_STREAM_TYPES[stream_type]
                    break
                index += 5 + (((section[index + 3] & 0x0F) << 8) | section[index + 4])
        elif pid == video_pid and video_pid is not None:
            if unit_start:
                if started:
                    break
                started = True
                payload = payload[9 + payload[8] :]  # the PES header
            if started:
                elementary += payload
    return (codec, bytes(elementary)) if elementary else None


def _decoder(codec: str) -> Any:
    decoders: dict[str, Any] = _local.__dict__.setdefault("decoders", {})
    if codec not in decoders:
        context = av.CodecContext.create(codec, "r")
        context.thread_count = 1  # one core per capture task; frame threads would add a frame of delay
        decoders[codec] = context
    return decoders[codec]


def decode_keyframe(data: bytes) -> NDArray[np.uint8] | None:
    """The first frame of an MPEG-TS segment as a full-range grey image, or None if it cannot be had this way."""
    unit = first_video_access_unit(data)
    if unit is None:
        return None
    codec, elementary = unit
    decoder = _decoder(codec)
    try:
        packets = decoder.parse(elementary) + decoder.parse(None)
        frames = [frame for packet in packets for frame in decoder.decode(packet)]
        if not frames:
            frames = list(decoder.decode(None))
    except av.error.FFmpegError:
        frames = []
    finally:
        decoder.flush_buffers()
    if not frames:
        return None
    frame = frames[0]
    plane = frame.planes[0]
    luma = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)[:, : frame.width]
    grey: NDArray[np.uint8] = cv2.LUT(luma, _FULL_RANGE).astype(np.uint8, copy=False)  # 4x faster than numpy
    return grey
