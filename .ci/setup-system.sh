#!/usr/bin/env bash
# Installs the system pieces WebGPU needs on a GPU-less Debian 12 machine:
# - chromium: the browser for the end-to-end tests, and SwiftShader's Vulkan driver;
# - Mesa's lavapipe 25 from bookworm-backports: the fast software Vulkan adapter Dawn accepts
#   (Debian 12's own lavapipe 22.3 is rejected by Dawn);
# - libglvnd0 and binutils (strip): what `npm run gpu-kit` packs and uses, and its test.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

if [ -f /etc/apt/sources.list.d/debian.sources ] && ! grep -rqs bookworm-backports /etc/apt/sources.list.d/; then
  $sudo_cmd tee /etc/apt/sources.list.d/backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends chromium libvulkan1 libglvnd0 binutils >/dev/null
if grep -rqs bookworm-backports /etc/apt/sources.list.d/; then
  $sudo_cmd apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null
else
  $sudo_cmd apt-get install -y -qq mesa-vulkan-drivers >/dev/null
fi
