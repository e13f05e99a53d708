#!/usr/bin/env bash
# A throwaway single-node Ceph radosgw for the S3 Object Lock tests: one monitor, one in-memory OSD, one radosgw,
# all on loopback, with no cephx (nothing leaves 127.0.0.1) and its data under /tmp. Debian bookworm's Ceph 16:
#   apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common
#
#   start  prints CEPH_S3_ENDPOINT=…, CEPH_S3_ACCESS_KEY_ID=…, CEPH_S3_SECRET_ACCESS_KEY=… (one per line) on stdout
#   stop   stops the daemons it started (by their pid files) and deletes the folder
#
# KEYWARD_CEPH_DIR (default /tmp/keyward-ci-ceph) must lie under /tmp; RGW_PORT defaults to 7480 when free, else to
# any free port. Runs as root (as CI does) or as any user. Takes ~15 s to start.
set -euo pipefail
D=${KEYWARD_CEPH_DIR:-/tmp/keyward-ci-ceph}
export CEPH_CONF=$D/ceph.conf

# why: `stop` deletes the folder recursively; a mistyped variable must never point it at anything that matters
case "$D" in
/tmp/?*) ;;
*)
  echo "KEYWARD_CEPH_DIR must be a folder under /tmp (got '$D')" >&2
  exit 2
  ;;
esac

port_is_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.close()' "$1" 2>/dev/null
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
random_hex() { # $1 random bytes as upper-case hex
  od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n' | tr a-f A-F
}

stop_daemons() {
  local pids=() n pid
  for n in client.rgw.a osd.0 mon.a; do
    if [ -s "$D/run/$n.pid" ]; then
      pid=$(cat "$D/run/$n.pid")
      kill "$pid" 2>/dev/null && pids+=("$pid")
    fi
  done
  # why: the OSD and radosgw can take a few seconds to shut down; the folder must outlive them, then go
  for _ in $(seq 1 50); do
    local alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ ${#alive[@]} -eq 0 ] && return 0
    sleep 0.2
  done
  for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

case "${1:-}" in
start)
  for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool ceph-authtool; do
    if ! command -v "$bin" >/dev/null; then
      echo "$bin is missing: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common" >&2
      exit 3
    fi
  done
  if [ -d "$D/run" ]; then stop_daemons; fi
  rm -rf "$D"
  mkdir -p "$D"/{run,log,mon.a,osd.0,rgw.a}
  if [ -z "${RGW_PORT:-}" ]; then
    if port_is_free 7480; then RGW_PORT=7480; else RGW_PORT=$(free_port); fi
  fi
  # why: a fixed monitor port (Ceph's 3300) would make two clusters on one machine — two test runs — collide
  MON_PORT=$(free_port)
  FSID=$(cat /proc/sys/kernel/random/uuid)
  cat >"$CEPH_CONF" <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
ms bind ipv6 = false
# why: with no cephx the daemons' default "secure" mode cannot authenticate; crc lets them talk on loopback
ms mon client mode = crc secure
ms client mode = crc secure
# why: a failing start must end in seconds, not Ceph's default 300 s
client mount timeout = 30
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = false
run dir = $D/run
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
log file = $D/log/\$name.log
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
[mon]
mon data = $D/mon.\$id
[osd]
osd data = $D/osd.\$id
osd objectstore = memstore
memstore device bytes = 1073741824
osd max object name len = 460
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $D/rgw.a
rgw dns name = localhost
rgw enable usage log = false
CONF
  {
    monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$D/monmap"
    ceph-authtool --create-keyring "$D/mon.keyring" --gen-key -n mon. --cap mon 'allow *'
    ceph-mon --mkfs -i a --monmap "$D/monmap" --keyring "$D/mon.keyring"
    ceph-mon -i a
    OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
    ceph osd new "$OSD_UUID"
    ceph-osd -i 0 --mkfs --osd-uuid "$OSD_UUID"
    ceph-osd -i 0
  } >"$D/log/start.log" 2>&1 || {
    echo "Ceph did not start; see $D/log/start.log and $D/log/" >&2
    exit 1
  }
  up=no
  for _ in $(seq 1 60); do
    if ceph osd stat 2>/dev/null | grep -q "1 up"; then up=yes && break; fi
    sleep 0.5
  done
  if [ "$up" != yes ]; then
    echo "the OSD did not come up within 30 s; see $D/log/osd.0.log" >&2
    exit 1
  fi
  radosgw -n client.rgw.a >>"$D/log/start.log" 2>&1
  up=no
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/"; then up=yes && break; fi
    sleep 0.5
  done
  if [ "$up" != yes ]; then
    echo "radosgw did not answer on 127.0.0.1:$RGW_PORT within 60 s; see $D/log/client.rgw.a.log" >&2
    exit 1
  fi
  ACCESS_KEY=$(random_hex 10)
  SECRET_KEY=$(random_hex 20)
  radosgw-admin user create --uid=keyward-ci --display-name=keyward-ci \
    --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >>"$D/log/start.log" 2>&1
  echo "radosgw is up at http://127.0.0.1:$RGW_PORT (folder $D)" >&2
  echo "CEPH_S3_ENDPOINT=http://127.0.0.1:$RGW_PORT"
  echo "CEPH_S3_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "CEPH_S3_SECRET_ACCESS_KEY=$SECRET_KEY"
  ;;
stop)
  if [ -d "$D/run" ]; then stop_daemons; fi
  rm -rf "$D"
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
