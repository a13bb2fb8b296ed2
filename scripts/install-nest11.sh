#!/usr/bin/env bash
# Installs NestJS 11, and the event-emitter, config, swagger and terminus majors that go with it, into a folder outside
# the repo, so the e2e suites can run against it (jest.nest11.config.js maps @nestjs/* there). Reused when already
# present; prints the folder.
set -euo pipefail
DIR="${NEST11_DIR:-/tmp/nestjs-pathors-nest11}"
PACKAGES=(
  @nestjs/common@11 @nestjs/core@11 @nestjs/platform-express@11 @nestjs/platform-fastify@11 @nestjs/testing@11
  @nestjs/event-emitter@3 @nestjs/config@4 @nestjs/swagger@11 @nestjs/terminus@11
)
installed_major() { node -p "require('$DIR/node_modules/@nestjs/$1/package.json').version.split('.')[0]" 2>/dev/null || true; }
if [[ "$(installed_major core)" == "11" && "$(installed_major platform-fastify)" == "11" && "$(installed_major config)" == "4" && "$(installed_major terminus)" == "11" ]]; then
  echo "$DIR" && exit 0
fi
mkdir -p "$DIR"
[[ -f "$DIR/package.json" ]] || echo '{ "name": "nestjs-pathors-nest11", "private": true }' >"$DIR/package.json"
npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "${PACKAGES[@]}" >&2
echo "$DIR"
