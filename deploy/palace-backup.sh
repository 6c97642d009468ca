#!/bin/sh
# palace-backup.sh DIR: one dated backup into DIR, then remove backups older than
# PALACE_BACKUP_KEEP_DAYS days (default 14). Run by palace-backup.service or from cron:
#   30 3 * * *  palace  cd /opt/palace/app && set -a && . /etc/palace/palace.env && deploy/palace-backup.sh /var/backups/palace
set -eu
dir=${1:?usage: palace-backup.sh DIR}
keep=${PALACE_BACKUP_KEEP_DAYS:-14}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
"$here/.venv/bin/palace" backup "$dir/palace-$(date -u +%Y%m%dT%H%M%SZ).backup"
# Only after a backup succeeded: a failing backup never deletes the last good ones.
find "$dir" -maxdepth 1 -name 'palace-*.backup' -mtime "+$keep" -delete
