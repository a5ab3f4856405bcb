# Shared by the scripts: install Debian packages that are missing.
# Usage: need_apt PACKAGE...
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
need_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "$(basename "$0"): installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}
