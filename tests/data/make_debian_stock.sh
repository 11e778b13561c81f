#!/usr/bin/env bash
# Build a "stock Debian 12" configuration tree for oomlint's precision test.
#
# Every file in the tree is shipped verbatim by a real Debian bookworm package:
# the packages below are fetched with `apt-get download`, unpacked with
# `dpkg-deb -x` into a scratch root, and only OOM-relevant subtrees (systemd
# units and drop-ins, sysctl files, systemd manager config, zram-generator
# config, fstab) are copied out with `cp -a`, so symlinks (absolute ones and
# /dev/null masks included) are preserved exactly as shipped.
#
# Deliberately NOT included: systemd-zram-generator, dphys-swapfile (and
# anything else that configures swap) -- the test expects "no swap" here.
# Not in bookworm, hence skipped: elasticsearch, kafka.
# Besides units and sysctl, the tree keeps the other files oomlint reads where the
# programs read them: /etc/mysql (mariadbd's option files, with the my.cnf
# alternative the package's postinst sets up) and the /etc/default files that a
# unit names in EnvironmentFile= (puppetserver's JAVA_ARGS, jetty9's, ...).
# Dependencies are not unpacked: only the packages listed (their own files).
#
# Usage: tests/data/make_debian_stock.sh [OUTPUT_DIR]
#   OUTPUT_DIR defaults to tests/data/debian-stock relative to the repo root.
#   The output directory is removed and rebuilt on every run.
# Needs: apt-get (with bookworm lists; run `apt-get update` first), dpkg-deb.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
out=${1:-"$repo_root/tests/data/debian-stock"}

packages=(
    systemd
    udev
    dbus
    openssh-server
    cron
    rsyslog
    procps
    postgresql-15
    postgresql-common
    mariadb-server
    mariadb-common
    mysql-common
    nginx-common
    openjdk-17-jre-headless
    redis-server
    memcached
    apache2
    docker.io
    containerd
    haproxy
    chrony
    unattended-upgrades
    systemd-timesyncd
    e2fsprogs
    lvm2
    mdadm
    smartmontools
    qemu-guest-agent
    cloud-init
    networkd-dispatcher
    polkitd
    avahi-daemon
    cups-daemon
    bind9
    postfix
    nfs-kernel-server
    nfs-common
    rpcbind
    fail2ban
    prometheus-node-exporter
    tomcat10
    zookeeperd
    systemd-resolved
    systemd-container
    cockpit
    cockpit-ws
    cockpit-bridge
    cockpit-system
    jetty9
    puppetserver
)

# Subtrees (relative to /) copied into the output tree, if a package ships them.
subtrees=(
    lib/systemd/system
    usr/lib/systemd/system
    lib/systemd/system.conf.d
    usr/lib/systemd/system.conf.d
    usr/lib/sysctl.d
    lib/sysctl.d
    etc/sysctl.conf
    etc/sysctl.d
    etc/systemd
    usr/lib/systemd/zram-generator.conf
    etc/systemd/zram-generator.conf
    etc/fstab
    etc/default
    etc/mysql
)

export LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/debian-stock.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debs" "$tmp/root"

# apt-get download fails as a whole if any name is unknown; check first so the
# error message names the culprit.
for p in "${packages[@]}"; do
    if [[ -z "$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {print $2}')" ]]; then
        echo "error: package '$p' not available (run apt-get update on a bookworm system?)" >&2
        exit 1
    fi
done

# apt's _apt sandbox user cannot write into a root-owned mktemp dir; that is
# harmless (apt falls back to downloading as root) but noisy.
(cd "$tmp/debs" && apt-get download -q -o APT::Sandbox::User=root "${packages[@]}") >&2

# Extract in a fixed (sorted) order so overlapping paths resolve the same way
# on every run.
mapfile -t debs < <(find "$tmp/debs" -maxdepth 1 -name '*.deb' -printf '%f\n' | sort)
for deb in "${debs[@]}"; do
    dpkg-deb -x "$tmp/debs/$deb" "$tmp/root"
done

rm -rf "$out"
mkdir -p "$out"
for sub in "${subtrees[@]}"; do
    src="$tmp/root/$sub"
    # -e follows symlinks; also accept a dangling top-level symlink as shipped.
    if [[ -e "$src" || -L "$src" ]]; then
        mkdir -p "$out/$(dirname "$sub")"
        cp -a "$src" "$out/$sub"
    fi
done

# mariadb-common's postinst points the my.cnf alternative at mariadb.cnf
# (update-alternatives --install /etc/mysql/my.cnf my.cnf /etc/mysql/mariadb.cnf 200):
# the file mariadbd reads first. Recreate the two links as dpkg leaves them.
if [[ -f "$out/etc/mysql/mariadb.cnf" ]]; then
    mkdir -p "$out/etc/alternatives"
    ln -sfn /etc/mysql/mariadb.cnf "$out/etc/alternatives/my.cnf"
    ln -sfn /etc/alternatives/my.cnf "$out/etc/mysql/my.cnf"
fi
# Of /etc/default keep what a unit reads with EnvironmentFile= (systemd.exec(5)).
if [[ -d "$out/etc/default" ]]; then
    mapfile -t envfiles < <(grep -rhoE '^EnvironmentFile=-?/etc/default/[^ ]+' \
        "$out/lib/systemd/system" "$out/usr/lib/systemd/system" 2>/dev/null \
        | sed -E 's|^EnvironmentFile=-?/etc/default/||' | sort -u)
    find "$out/etc/default" -mindepth 1 -maxdepth 1 | while read -r f; do
        keep=no
        for e in "${envfiles[@]}"; do [[ "$(basename "$f")" == "$e" ]] && keep=yes; done
        [[ $keep == yes ]] || rm -rf "$f"
    done
fi
# Of /etc/mysql drop what mariadbd does not read (client-only files, scripts).
rm -f "$out/etc/mysql/debian-start"

# Keep only OOM-relevant files from etc/systemd: the manager config
# (system.conf), units/drop-ins (system/), manager drop-ins and zram config.
# Daemon configs such as journald.conf, logind.conf, user.conf are dropped.
if [[ -d "$out/etc/systemd" ]]; then
    find "$out/etc/systemd" -mindepth 1 -maxdepth 1 \
        ! -name system.conf ! -name system ! -name system.conf.d \
        ! -name zram-generator.conf -exec rm -rf {} +
fi
# Empty directories (e.g. bare *.target.wants/) cannot be tracked by git;
# drop them so a fresh build matches a checkout.
find "$out" -mindepth 1 -type d -empty -delete

{
    echo "# Debian bookworm packages unpacked to build this tree (package version)."
    echo "# Generated by tests/data/make_debian_stock.sh -- do not edit by hand."
    for deb in "${debs[@]}"; do
        dpkg-deb -f "$tmp/debs/$deb" Package Version | awk '
            /^Package:/ {p=$2} /^Version:/ {v=$2} END {print p, v}'
    done | sort
} > "$out/PACKAGES.txt"

echo "wrote $out ($(find "$out" -type f | wc -l) files, $(find "$out" -type l | wc -l) symlinks, $(du -sh "$out" | cut -f1))" >&2
