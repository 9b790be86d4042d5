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
# Each font package with a file only it installs (a folder may be shared: fonts-dejavu-extra also fills
# truetype/dejavu): the sample HUD uses the first three, the varied styles of the bench's suites and of the
# hard-look tests all of them (sample_broadcast/varied.py; a test holds this list to it).
for font in \
  fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
  fonts-liberation:/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf \
  fonts-freefont-ttf:/usr/share/fonts/truetype/freefont/FreeSans.ttf \
  fonts-roboto-unhinted:/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Light.ttf \
  fonts-open-sans:/usr/share/fonts/truetype/open-sans/OpenSans-Regular.ttf \
  fonts-lato:/usr/share/fonts/truetype/lato/Lato-Regular.ttf \
  fonts-cantarell:/usr/share/fonts/opentype/cantarell/Cantarell-Regular.otf \
  fonts-croscore:/usr/share/fonts/truetype/croscore/Arimo-Regular.ttf \
  fonts-crosextra-carlito:/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf \
  fonts-b612:/usr/share/fonts/opentype/b612/B612-Regular.otf \
  fonts-bebas-neue:/usr/share/fonts/opentype/bebas-neue/BebasNeue-Regular.otf \
  fonts-inter:/usr/share/fonts/opentype/inter/Inter-Regular.otf \
  fonts-noto-core:/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf; do
  [ -f "${font#*:}" ] || need+=("${font%%:*}")
done
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
