#!/usr/bin/env bash
# The CPU of one transcoded ingress ladder (720p30 x264 High with B-frames + AAC fed in real
# time → Opus and LiveKit's 3-layer 720p ladder), ffmpeg's job beside GStreamer's,
# alternating: crates/media/codec/examples/transcode_cpu.rs, the jobs' real command lines.
# Needs ffmpeg and GStreamer (see .ci/run). Env: LADDER_SECONDS (20), LADDER_ROUNDS (2).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build -q --release -p hikari-codec --example transcode_cpu
for round in $(seq "${LADDER_ROUNDS:-2}"); do
  for program in /usr/bin/ffmpeg /usr/bin/gst-launch-1.0; do
    echo "round $round: $(target/release/examples/transcode_cpu "${LADDER_SECONDS:-20}" "$program" 2>/dev/null | grep 'transcode CPU') ($program)"
  done
done
