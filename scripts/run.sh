#!/usr/bin/env bash
# make run: initialise the data directory on first run, then serve.
set -euo pipefail
bin=$1 data=$2 listen=$3
if [ ! -f "$data/fazhi.db" ]; then
  "$bin" init --data "$data"
fi
echo "打开浏览器访问： http://$listen/"
exec "$bin" serve --data "$data" --listen "$listen"
