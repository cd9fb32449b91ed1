#!/bin/sh
# Installs the Debian packages Tunnelscope's lab and tests use. Idempotent; needs root and apt.
# Services are not started by the packages: the lab and the tests start their own daemons.
set -eu

PACKAGES="iproute2 iputils-ping procps util-linux kmod openvswitch-switch openvswitch-common ovn-central ovn-host \
tcpdump ethtool nftables iptables conntrack bpftool postgresql chromium jq openssl \
openssh-server busybox"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "tunnelscope: missing Debian packages:$missing (install them as root with apt-get install -y$missing)" >&2
  exit 1
fi

# Keep package scripts from starting system-wide OVS/OVN/PostgreSQL services.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing:$missing"
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
[ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d
exit 0
