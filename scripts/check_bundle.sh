#!/usr/bin/env bash
# Prove the offline bundle (README, "Offline installation"): unpack the tarball built by
# scripts/build_bundle.sh, install it into a fresh virtualenv with no package index reachable, run the
# deployment check with production variables, then start gunicorn from that virtualenv and request
# /health/, the login page and a collected static file.
#   scripts/check_bundle.sh [dist/kaohe-bundle-<revision>.tar.gz]   (default: the newest in dist/)
set -euo pipefail
cd "$(dirname "$0")/.."

tarball=${1:-$(ls -t dist/kaohe-bundle-*.tar.gz | head -n1)}
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

tar -xzf "$tarball" -C "$work"
bundle=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)

# No index: pip told so, an index address that refuses connections, no local wheel folders or pip
# configuration of this machine, and (where the kernel allows it) no network at all.
offline_env=(PIP_NO_INDEX=1 PIP_INDEX_URL=http://127.0.0.1:9/ PIP_EXTRA_INDEX_URL= PIP_FIND_LINKS=
  PIP_CONFIG_FILE=/dev/null PIP_NO_CACHE_DIR=1 http_proxy=http://127.0.0.1:9/ https_proxy=http://127.0.0.1:9/)
no_network=()
if unshare --net true 2>/dev/null; then
  no_network=(unshare --net)
  echo "installing inside a network namespace without any interface up"
fi
env "${offline_env[@]}" "${no_network[@]}" "$bundle/install.sh" "$work/venv"

# Every package just installed has an aarch64 wheel in the bundle too, python-ldap its source.
"$work/venv/bin/python" -m pip freeze --exclude python-ldap >"$work/installed.txt"
env "${offline_env[@]}" "${no_network[@]}" "$work/venv/bin/python" -m pip download --quiet --no-deps \
  --only-binary=:all: --implementation cp --python-version 3.11 --platform manylinux2014_aarch64 \
  --platform manylinux_2_28_aarch64 --find-links "$bundle/wheels" --dest "$work/aarch64" -r "$work/installed.txt"

# What an aarch64 server does: python-ldap built from the bundle's source with its build backend, offline.
cp -r "$bundle" "$work/from-source"
rm "$work"/from-source/wheels/python_ldap-*.whl
env "${offline_env[@]}" "${no_network[@]}" "$work/from-source/install.sh" "$work/venv-from-source"
"$work/venv-from-source/bin/python" -c 'import ldap; print("python-ldap", ldap.__version__, "built from source offline")'
rm -rf "$work/from-source" "$work/venv-from-source"

app=$bundle/app
py=$work/venv/bin/python
production=(DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$("$py" -c 'import secrets; print(secrets.token_urlsafe(50))')"
  DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_BEHIND_PROXY=1 DATABASE_URL="sqlite:///$work/db.sqlite3")

cd "$app"
env "${production[@]}" "$py" manage.py check --deploy --fail-level WARNING
env "${production[@]}" "$py" manage.py migrate --noinput --verbosity 0

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env "${production[@]}" "$work/venv/bin/gunicorn" config.wsgi:application --bind "127.0.0.1:$port" --workers 1 \
  --error-logfile "$work/gunicorn.log" &
server_pid=$!

get() { curl --silent --show-error --fail --max-time 10 -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$port$1"; }
for _ in $(seq 1 50); do get /health/ >/dev/null 2>&1 && break; sleep 0.2; done
test "$(get /health/)" = ok
login=$(get /accounts/login/)
grep -q 'name="password"' <<<"$login"
grep -q '登录' <<<"$login"  # the compiled Chinese messages came with the bundle
static=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["paths"]["css/site.css"])' staticfiles/staticfiles.json)
get "/static/$static" >/dev/null
echo "bundle works: installed offline, deploy check clean, /health/, /accounts/login/ and /static/$static answered"
