#!/usr/bin/env bash
# make run: initialise the data directory on first run (printing the first
# administrator's one-time password), then serve.
set -euo pipefail
bin=$1 data=$2 listen=$3
if [ ! -f "$data/fazhi.db" ]; then
  "$bin" init --data "$data"
else
  echo "数据目录 $data 已存在。系统管理员账号 admin；忘记密码时运行："
  echo "  $bin user passwd --data $data --username admin"
fi
echo "打开浏览器访问： http://$listen/"
exec "$bin" serve --data "$data" --listen "$listen"
