#!/usr/bin/env bash
# Installs NestJS 11, and the event-emitter, config, swagger and terminus majors that go with it, plus class-validator
# 0.14 (the oldest minor of the package's peer range), into a folder outside the repo, so the e2e suites can run against
# them (jest.nest11.config.js maps @nestjs/* and class-validator there). Reused when already present; prints the folder.
set -euo pipefail
DIR="${NEST11_DIR:-/tmp/nestjs-pathors-nest11}"
PACKAGES=(
  @nestjs/common@11 @nestjs/core@11 @nestjs/platform-express@11 @nestjs/platform-fastify@11 @nestjs/testing@11
  @nestjs/event-emitter@3 @nestjs/config@4 @nestjs/swagger@11 @nestjs/terminus@11
  class-validator@0.14
)
installed_version() { node -p "require('$DIR/node_modules/$1/package.json').version" 2>/dev/null || true; }
installed_major() { installed_version "@nestjs/$1" | cut -d. -f1; }
if [[ "$(installed_major core)" == "11" && "$(installed_major platform-fastify)" == "11" && "$(installed_major config)" == "4" &&
  "$(installed_major terminus)" == "11" && "$(installed_version class-validator)" == 0.14.* ]]; then
  echo "$DIR" && exit 0
fi
mkdir -p "$DIR"
[[ -f "$DIR/package.json" ]] || echo '{ "name": "nestjs-pathors-nest11", "private": true }' >"$DIR/package.json"
npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "${PACKAGES[@]}" >&2
echo "$DIR"
