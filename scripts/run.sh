#!/usr/bin/env bash
# make run: on first run, fill the new data directory with the demonstration
# county (`fazhi demo`: initialises the directory, then writes a year of
# records through the engine and prints the demo logins; docs/demo.md), or,
# with FAZHI_NO_DEMO=1, only initialise it (printing the first administrator's
# one-time password); then serve.
set -euo pipefail
bin=$1 data=$2 listen=$3
if [ ! -f "$data/fazhi.db" ] && [ ! -f "$data/fazhi.conf" ]; then
  if [ "${FAZHI_NO_DEMO:-0}" = 1 ]; then
    "$bin" init --data "$data"
  else
    "$bin" demo --data "$data"
  fi
else
  echo "数据目录 $data 已存在。系统管理员账号 admin；忘记密码时运行："
  echo "  $bin user passwd --data $data --username admin"
fi
echo "打开浏览器访问： http://$listen/"
exec "$bin" serve --data "$data" --listen "$listen"
