#!/usr/bin/env bash
# Build the offline installation bundle (README, "Offline installation"):
#   dist/kaohe-bundle-<revision>/         the application with compiled messages and collected static files,
#                                          every wheel it needs for CPython 3.11 on x86_64 and aarch64 Linux,
#                                          install.sh and INSTALL.md
#   dist/kaohe-bundle-<revision>.tar.gz   the same folder as one file to carry to the server
# Run on a machine that reaches the package index, from a checkout with `make install` done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PYTHON_VERSION=3.11
# manylinux tags a wheel may carry: glibc 2.17 (manylinux2014) up to 2.28, i.e. Debian 10+, RHEL 8+, Ubuntu 20.04+.
GLIBC_TAGS=(manylinux2014 manylinux_2_17 manylinux_2_24 manylinux_2_28)
ARCHES=(x86_64 aarch64)
# Published as source only: built here as a wheel for this machine's platform and shipped as source
# (with the build backend) so that a server of another architecture can build it without the network.
SOURCE_ONLY=(python-ldap)
# Pure-Python packages that require a source-only one: fetched once, without the per-platform resolution.
NEEDS_SOURCE_ONLY=(django-auth-ldap)

revision=$(git describe --always --dirty 2>/dev/null || date +%Y%m%d)
name="kaohe-bundle-$revision"
out="dist/$name"
rm -rf "$out" "dist/$name.tar.gz"
mkdir -p "$out/wheels" "$out/app"

pin() { grep -iE "^$1==" requirements.txt | head -n1; }

echo "--- the application (tracked files, without tests, benchmarks and CI)"
git ls-files -z -- . ':!:tests' ':!:bench' ':!:.ci' | tar --null -T - -cf - | tar -xf - -C "$out/app"
cp requirements.txt "$out/requirements.txt"
cp scripts/bundle/install.sh scripts/bundle/INSTALL.md "$out/"
chmod +x "$out/install.sh"

echo "--- compiled messages and collected static files"
(
  cd "$out/app"
  DJANGO_DEBUG=1 "$OLDPWD/$PY" manage.py compilemessages --verbosity 0
  # The production storage (hashed names, compressed copies, manifest), as the server will serve them.
  DJANGO_DEBUG=0 DJANGO_SECRET_KEY="bundle-build-only-$(date +%s)-not-a-secret-0123456789abcdefghijklmn" \
    "$OLDPWD/$PY" manage.py collectstatic --noinput --verbosity 0
)

pip_() { "$PY" -m pip --disable-pip-version-check "$@"; }

echo "--- wheels for this machine, building the source-only packages"
pip_ wheel --quiet --prefer-binary --wheel-dir "$out/wheels" -r requirements.txt

echo "--- source of the source-only packages, and the build backend to build them offline"
for pkg in "${SOURCE_ONLY[@]}"; do
  pip_ download --quiet --no-deps --no-binary=:all: --dest "$out/wheels" "$(pin "$pkg")"
done
pip_ download --quiet --no-deps --only-binary=:all: --dest "$out/wheels" setuptools wheel

echo "--- wheels for every supported platform"
filtered=$(mktemp)
trap 'rm -f "$filtered"' EXIT
skip=$(printf '%s|' "${SOURCE_ONLY[@]}" "${NEEDS_SOURCE_ONLY[@]}")
grep -viE "^(${skip%|})==" requirements.txt >"$filtered"
for arch in "${ARCHES[@]}"; do
  platforms=()
  for tag in "${GLIBC_TAGS[@]}"; do platforms+=(--platform "${tag}_${arch}"); done
  pip_ download --quiet --only-binary=:all: --implementation cp --python-version "$PYTHON_VERSION" \
    "${platforms[@]}" --dest "$out/wheels" -r "$filtered"
done

tar -C dist -czf "dist/$name.tar.gz" "$name"
echo "bundle: $out ($(du -sh "$out" | cut -f1)), dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1))"
ls "$out/wheels" | grep -iE "$(printf '%s|' "${SOURCE_ONLY[@]}" | sed 's/|$//;s/-/[-_]/g')" | sed 's/^/  /'
