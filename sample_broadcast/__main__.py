"""Command line: render a sample broadcast to a folder, or serve one as a live HLS stream.

python -m sample_broadcast render OUT_DIR [--seed N] [--resolution 720p] [--fps 30] [--duration 60] [--mp4]
python -m sample_broadcast serve DIR [--speed 1] [--port 8080] [--window 6] [--ad-break FIRST:COUNT]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sample_broadcast.broadcast import render_broadcast
from sample_broadcast.script import random_script
from sample_broadcast.serve import LiveHlsServer
from sample_broadcast.style import RESOLUTIONS, random_style


def _render(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    script = random_script(args.seed, args.duration)
    style = random_style(args.seed, args.resolution, args.fps)
    info = render_broadcast(Path(args.out_dir), script, style, mp4=args.mp4)
    goals = info.truth()["goals"]
    print(f"rendered {len(info.segments)} segments with {len(goals)} goals in {time.perf_counter() - started:.1f} s")
    print(f"playlist: {info.playlist}\ntruth:    {info.truth_path}" + (f"\nmp4:      {info.mp4}" if info.mp4 else ""))
    return 0


def _ad_break(text: str) -> tuple[int, int]:
    first, _, count = text.partition(":")
    return int(first), int(count or 2)


def _serve(args: argparse.Namespace) -> int:
    server = LiveHlsServer(
        Path(args.dir), speed=args.speed, window_segments=args.window, port=args.port, ad_breaks=args.ad_break
    )
    with server:
        print(f"live at {server.playlist_url} (Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_broadcast", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="render a broadcast (HLS segments, playlist, truth.json)")
    render.add_argument("out_dir")
    render.add_argument("--seed", type=int, default=1)
    render.add_argument("--resolution", choices=sorted(RESOLUTIONS), default="720p")
    render.add_argument("--fps", type=int, choices=(30, 60), default=30)
    render.add_argument("--duration", type=int, default=60, help="seconds, a multiple of 2")
    render.add_argument("--mp4", action="store_true", help="also write broadcast.mp4")
    render.set_defaults(run=_render)
    serve = commands.add_parser("serve", help="serve a rendered broadcast as a live HLS stream")
    serve.add_argument("dir")
    serve.add_argument("--speed", type=float, default=1.0)
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--window", type=int, default=6, help="segments in the live playlist")
    serve.add_argument("--ad-break", type=_ad_break, action="append", default=[], metavar="FIRST:COUNT")
    serve.set_defaults(run=_serve)
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
