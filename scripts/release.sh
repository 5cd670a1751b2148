#!/usr/bin/env bash
# Publishes the server as self-contained single-file builds, which start with no .NET installed, into
# artifacts/release/ (or CALLSCOPE_RELEASE_OUT): a folder and a .tar.gz per runtime (callscope-VERSION-RID/ with the
# callscope executable, its wwwroot and appsettings.json), and SHA256SUMS over the archives. The intermediate build
# folders are in .build/ of that same folder.
#   bash scripts/release.sh               # linux-x64 and linux-arm64
#   bash scripts/release.sh linux-x64     # one runtime
#   CALLSCOPE_VERSION=1.2.0 bash scripts/release.sh   # another version than the project's
#   CALLSCOPE_RELEASE_OUT=/tmp/release bash scripts/release.sh   # another folder (a relative one is under the repository)
set -euo pipefail

cd "$(dirname "$0")/.."
project=src/Callscope.Server/Callscope.Server.csproj
out=${CALLSCOPE_RELEASE_OUT:-artifacts/release}
rids=("$@")
if [ ${#rids[@]} -eq 0 ]; then
  rids=(linux-x64 linux-arm64)
fi

version=${CALLSCOPE_VERSION:-$(dotnet msbuild "$project" -getProperty:Version -nologo)}
mkdir -p "$out"

for rid in "${rids[@]}"; do
  case "$rid" in
    linux-x64 | linux-arm64) ;;
    *) echo "release.sh: unknown runtime '$rid' (linux-x64 or linux-arm64)" >&2; exit 2 ;;
  esac

  name="callscope-$version-$rid"
  # One build per runtime in the folder: an older version's would otherwise be listed in SHA256SUMS beside it.
  rm -rf "${out:?}"/callscope-*-"$rid" "${out:?}"/callscope-*-"$rid".tar.gz
  echo "Publishing $name..." >&2
  # The native SQLite library stays a file beside the executable instead of being unpacked at each start into the
  # user's home, which a hardened service may not have (see docs/deploy.md).
  # Its own intermediate folders (--artifacts-path): a runtime-specific restore must not rewrite the obj/ folders that
  # a build or test run beside it is using.
  dotnet publish "$project" -c Release -r "$rid" --self-contained -nologo -v quiet -warnaserror \
    --artifacts-path "$out/.build" \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=false -p:DebugType=none \
    -p:Version="$version" -o "$out/$name"
  # What a single file cannot hold or does not need: the web assets' manifest of a build output and symbol files.
  rm -f "$out/$name"/*.pdb "$out/$name"/*.staticwebassets.*.json
  tar -C "$out" -czf "$out/$name.tar.gz" "$name"
done

(cd "$out" && sha256sum callscope-*.tar.gz > SHA256SUMS)
echo "Release in $out:" >&2
cat "$out/SHA256SUMS" >&2
