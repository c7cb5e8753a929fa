#!/bin/sh
# Installs a Block Closet node from this release archive as a systemd service, on Debian or
# Raspberry Pi OS. Run as root from the unpacked archive:
#   sudo ./install.sh                                   # a new cluster's first node
#   sudo ./install.sh --join HOST:9002 --token -        # join an existing cluster (the token read from stdin)
#   sudo ./install.sh --token -                         # join the cluster found on this LAN (mDNS)
# (--token TOKEN works too, but puts the token where ps and the shell's history see it.) The token
# is kept in /var/lib/blockcloset/join-token (0600) for the first start only: the node deletes it
# once it joined; it never goes into blockcloset.env.
# Options: --capacity 500GiB (what this host lends), --zone NAME, --address IP (the LAN address
# other nodes reach this one at; default: the first address of `hostname -I`).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
join="" token="" capacity="10GiB" zone="" address=""
while [ $# -gt 0 ]; do
  case "$1" in
    --join) join=$2; shift 2 ;;
    --token) token=$2; shift 2 ;;
    --capacity) capacity=$2; shift 2 ;;
    --zone) zone=$2; shift 2 ;;
    --address) address=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" != 0 ]; then echo "run as root (sudo ./install.sh ...)" >&2; exit 1; fi
if [ "$token" = "-" ]; then
  if [ -t 0 ]; then printf 'Join token: ' >&2; stty -echo 2>/dev/null || true; fi
  IFS= read -r token || true
  if [ -t 0 ]; then stty echo 2>/dev/null || true; echo >&2; fi
  # Without a token a node would start a new cluster of its own instead of joining one.
  if [ -z "$token" ]; then echo "no join token read from standard input" >&2; exit 2; fi
fi
if [ -n "$join" ] && [ -z "$token" ]; then echo "--join needs --token (create one on a member: POST /api/join-tokens)" >&2; exit 2; fi
[ -n "$address" ] || address=$(hostname -I | awk '{print $1}')

if ! command -v java >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq default-jre-headless
fi
id blockcloset >/dev/null 2>&1 || useradd --system --home-dir /var/lib/blockcloset --shell /usr/sbin/nologin blockcloset
install -d -m 0755 /opt/blockcloset /opt/blockcloset/bin
cp -r "$here/blockcloset.jar" "$here/lib" "$here/README.md" /opt/blockcloset/
install -m 0755 "$here/blockcloset-node" /opt/blockcloset/bin/blockcloset-node
install -d -m 0700 -o blockcloset -g blockcloset /var/lib/blockcloset
install -d -m 0750 -o root -g blockcloset /etc/blockcloset
env=/etc/blockcloset/blockcloset.env
if [ ! -f "$env" ]; then
  umask 077
  cat > "$env" <<CONF
BLOCKCLOSET_DATA=/var/lib/blockcloset
BLOCKCLOSET_CAPACITY=$capacity
BLOCKCLOSET_ZONE=$zone
BLOCKCLOSET_ADVERTISE=$address
BLOCKCLOSET_CLUSTER_BIND=$address
BLOCKCLOSET_JOIN=$join
CONF
  chown root:blockcloset "$env"
  chmod 0640 "$env"
fi
if [ -n "$token" ] && [ ! -f /var/lib/blockcloset/node.properties ]; then
  (umask 077; printf '%s\n' "$token" > /var/lib/blockcloset/join-token)
  chown blockcloset:blockcloset /var/lib/blockcloset/join-token
fi
install -m 0644 "$here/blockcloset.service" /etc/systemd/system/blockcloset.service
systemctl daemon-reload
systemctl enable --now blockcloset.service
echo "Block Closet is running as blockcloset.service (journalctl -u blockcloset -f)."
echo "S3: http://$address:9000   console: http://127.0.0.1:9001/ (on this host)"
