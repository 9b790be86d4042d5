#!/usr/bin/env bash
# Installs the system programs highlight-bot needs when they are missing:
# tesseract (OCR), ffmpeg/ffprobe (decode, encode, cut clips), TrueType fonts
# (the sample broadcasts' HUD), node + npm (the CDK CLI that runs `cdk synth`), and with
# HIGHLIGHT_BOT_BROWSER=1 Debian's chromium (the gallery page's headless browser test).
# Debian/Ubuntu only; run as root or with sudo. Does nothing when all are present.
set -euo pipefail

need=()
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr tesseract-ocr-eng)
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/liberation ] || need+=(fonts-liberation)
[ -d /usr/share/fonts/truetype/freefont ] || need+=(fonts-freefont-ttf)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "${HIGHLIGHT_BOT_BROWSER:-0}" = "1" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing system packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "Missing system packages (${need[*]}) and not root: install them with apt-get, then run make again." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "This machine has no apt-get: install ${need[*]} with your package manager, then run make again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
