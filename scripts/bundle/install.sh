#!/usr/bin/env bash
# Install the application from this bundle without any network: ./install.sh [VENV]
# VENV defaults to app/.venv inside the bundle. See INSTALL.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${1:-$here/app/.venv}
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3

if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "install.sh: the wheels are for CPython 3.11; $python is $("$python" -V 2>&1). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi

# Only this bundle's wheels: no package index, and no pip configuration of the machine.
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT

"$python" -m venv "$venv"
if ! "$venv/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" -r "$here/requirements.txt"; then
  cat >&2 <<'MSG'
install.sh: the installation failed. On a machine that is not x86_64, python-ldap is built from its
source in wheels/: install a C compiler and the headers first (Debian: apt-get install build-essential
python3.11-dev libldap2-dev libsasl2-dev), or copy in a python-ldap wheel built on a machine like this
one (INSTALL.md, "Other architectures").
MSG
  exit 1
fi
echo "installed into $venv"
echo "next: set the environment and run the steps of INSTALL.md from $here/app"
