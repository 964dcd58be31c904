#!/usr/bin/env bash
# The CPU of one transcoded ingress ladder (720p30 OBS-like FLV fed in real time → Opus and
# LiveKit's 3-layer 720p ladder), ffmpeg's job beside GStreamer's, alternating on one input:
# crates/media/codec/tests/ladder_cpu.rs, the jobs' real command lines. Needs ffmpeg and
# GStreamer (see .ci/run). Env: LADDER_SECONDS (20), LADDER_ROUNDS (2).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo test -q -p hikari-codec --test ladder_cpu -- --ignored --nocapture 2>&1 | grep '^RESULT'
