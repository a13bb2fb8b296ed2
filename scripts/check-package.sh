#!/usr/bin/env bash
# Package quality gate for libs/pathors (run after `npm run build`): publint (strict), Are The Types Wrong (ESM-only
# profile: the package is ESM; CommonJS apps on Node 20.19+ require() it, which the consumer test proves), then the
# size of what `npm pack` would publish.
set -euo pipefail
cd "$(dirname "$0")/.."
npx publint libs/pathors --strict
npx attw --pack libs/pathors --profile esm-only
(cd libs/pathors && npm pack --dry-run --json 2>/dev/null) | node -e '
  const [pack] = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`npm pack: ${pack.filename}: ${kib(pack.size)} packed, ${kib(pack.unpackedSize)} unpacked, ${pack.entryCount} files`);
'
