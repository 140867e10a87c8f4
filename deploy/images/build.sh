#!/usr/bin/env bash
# Builds the runtime and operator images with buildah, without a container daemon, from the Dockerfile.jvm files of
# both modules and the fast-jars of `./mvnw package` (built first when missing or older than their sources).
#
#   deploy/images/build.sh [--base IMAGE | --base-rootfs debootstrap] [--only runtime|operator]
#                          [--output oci-archive:DIR | --output docker-archive:DIR] [--no-package]
#
#   --base IMAGE               the base image (default docker.io/library/eclipse-temurin:17-jre): any image with a
#                              Java 17 runtime as `java` on its PATH, pulled by buildah if not stored locally
#   --base-rootfs debootstrap  a base made here from Debian packages (debootstrap minbase + openjdk-17-jre-headless
#                              with the suite's security updates), kept as the local image BASE_IMAGE below and
#                              reused by later builds; --rebuild-base makes it again (e.g. for new security updates)
#   --mirror URL, --suite S    Debian mirror and suite of that base (default: the machine's mirror, bookworm)
#   --output KIND:DIR          also writes each image as DIR/mqttbackends-<image>-<tag>.tar, for `docker load`
#                              (docker-archive) or `podman load`, skopeo, kind, ctr (oci-archive)
#   --no-package               never runs Maven: the jars must exist (used by the build's own test)
#
# Needs root (buildah's storage, debootstrap's chroot) and `apt-get install -y buildah debootstrap`.
# The images are localhost/mqttbackends/runtime:<version> and localhost/mqttbackends/operator:<version>, the names
# deploy/kustomization.yaml gives. Retag or push them for a registry with
#   buildah push localhost/mqttbackends/runtime:<version> docker://registry.example.com/mqttbackends/runtime:<version>
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly DEFAULT_BASE=docker.io/library/eclipse-temurin:17-jre
readonly BASE_IMAGE=localhost/mqttbackends/base-debian
base=$DEFAULT_BASE
base_rootfs=""
rebuild_base=false
mirror=""
suite=bookworm
only=""
output=""
package=true

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base=$2; shift 2 ;;
    --base-rootfs) base_rootfs=$2; shift 2 ;;
    --rebuild-base) rebuild_base=true; shift ;;
    --mirror) mirror=$2; shift 2 ;;
    --suite) suite=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --no-package) package=false; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$base_rootfs" in
  ""|debootstrap) ;;
  *) echo "build.sh: --base-rootfs $base_rootfs: only debootstrap is known" >&2; exit 2 ;;
esac
case "$only" in
  ""|runtime|operator) ;;
  *) echo "build.sh: --only $only: runtime or operator" >&2; exit 2 ;;
esac
case "$output" in
  ""|oci-archive:?*|docker-archive:?*) ;;
  *) echo "build.sh: --output $output: oci-archive:DIR or docker-archive:DIR" >&2; exit 2 ;;
esac
for tool in buildah ${base_rootfs:+debootstrap}; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing: apt-get install -y buildah debootstrap" >&2; exit 1; }
done

# The project's version (the parent pom's own <version>, the first one in the file) is the images' tag.
version=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
modules=(runtime operator)
[ -n "$only" ] && modules=("$only")
started=$SECONDS
say() { echo "build.sh: [$((SECONDS - started)) s] $*"; }

# A base made from Debian packages: minbase (no init, no documentation) plus the headless JRE, upgraded with the
# suite's security updates, stripped of what a container never reads. Named by suite; made once, then reused.
debian_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | sed -n -E 's#^(deb|URIs:)[[:space:]]+(\[[^]]*\][[:space:]]+)?([a-z]+://[^[:space:]]+/debian)/?([[:space:]].*)?$#\3#p' \
    | head -1)
  echo "${uri:-http://deb.debian.org/debian}"
}
make_debian_base() {
  local image=$1 rootfs container mnt
  mirror=${mirror:-$(debian_mirror)}
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/mqttbackends-rootfs.XXXXXX")
  # debootstrap mounts /proc (and more) inside the rootfs while it runs; unmount before deleting, whatever happens.
  trap 'for m in proc sys dev/pts dev; do umount -l "'"$rootfs"'/$m" 2>/dev/null || true; done; rm -rf "'"$rootfs"'"' EXIT
  say "making the base $image from $mirror $suite (debootstrap; a few minutes the first time)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates "$suite" "$rootfs" "$mirror" \
    > "$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; echo "build.sh: debootstrap failed (log $rootfs.log)" >&2; exit 1; }
  rm -f "$rootfs.log"
  cat > "$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian}/debian-security $suite-security main
SOURCES
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  say "applying $suite-updates and $suite-security"
  chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c 'apt-get -o APT::Sandbox::User=root -qq update && apt-get -qq -y upgrade && apt-get -qq clean' \
    > "$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; echo "build.sh: the upgrade failed (log $rootfs.log)" >&2; exit 1; }
  rm -f "$rootfs.log"
  umount "$rootfs/proc"
  # The service's user: uid and gid 185, as in the Deployments' securityContext.
  echo 'mqttbackends:x:185:185:MQTT Backends:/nonexistent:/usr/sbin/nologin' >> "$rootfs/etc/passwd"
  echo 'mqttbackends:x:185:' >> "$rootfs/etc/group"
  rm -rf "$rootfs"/usr/share/{doc,man,info,lintian,linda}/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* \
    "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/* "$rootfs"/etc/resolv.conf "$rootfs"/etc/hostname
  # Keep the English messages only (glibc, apt); Java carries its own.
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'en*' ! -name locale.alias -exec rm -rf {} +
  container=$(buildah from scratch)
  mnt=$(buildah mount "$container")
  tar -C "$rootfs" -cf - . | tar -C "$mnt" -xpf -
  buildah umount "$container" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env "JAVA_HOME=/usr/lib/jvm/$(basename "$(ls -d "$rootfs"/usr/lib/jvm/java-17-openjdk-*/ | head -1)")" \
    --cmd /bin/bash \
    --label "org.opencontainers.image.title=Debian $suite minbase with OpenJDK 17 JRE (headless)" \
    --label "org.opencontainers.image.description=debootstrap --variant=minbase of $mirror $suite by deploy/images/build.sh" \
    --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$container"
  buildah commit -q --rm "$container" "$image" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
}

if [ "$base_rootfs" = debootstrap ]; then
  base="$BASE_IMAGE:$suite-jre17"
  if $rebuild_base || ! buildah inspect --type image "$base" >/dev/null 2>&1; then
    make_debian_base "$base"
  else
    say "reusing the base $base (made $(buildah inspect --type image \
      --format '{{index .OCIv1.Config.Labels "org.opencontainers.image.created"}}' "$base"); --rebuild-base renews it)"
  fi
fi

# The fast-jars, packaged again when any of their sources is newer (as deploy/local/run.sh does); the Dockerfiles
# are not in the jar.
stale() {
  local jar=$1/target/quarkus-app/quarkus-run.jar
  [ ! -f "$jar" ] || [ -n "$(find model/src model/pom.xml "$1/src" "$1/pom.xml" pom.xml -newer "$jar" \
    ! -path '*/src/main/docker/*' -print -quit)" ]
}
to_package=()
for m in "${modules[@]}"; do stale "$m" && to_package+=("$m"); done
if [ ${#to_package[@]} -gt 0 ]; then
  if ! $package; then
    for m in "${to_package[@]}"; do
      [ -f "$m/target/quarkus-app/quarkus-run.jar" ] \
        || { echo "build.sh: $m/target/quarkus-app is missing (--no-package: package it first)" >&2; exit 1; }
    done
  else
    list=$(IFS=,; echo "${to_package[*]}")
    say "packaging $list (./mvnw package -DskipTests; about 2 minutes the first time)"
    ./mvnw -B -ntp -q package -DskipTests -pl "$list" -am
  fi
fi

created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for m in "${modules[@]}"; do
  image="localhost/mqttbackends/$m:$version"
  say "building $image on $base"
  # No RUN instruction in the Dockerfiles: buildah needs no container runtime for them. --layers keeps each COPY as
  # a layer of its own (dependencies first), so a rebuild after a code change stores and pushes only the last ones.
  buildah build --quiet --layers --pull=false -f "$m/src/main/docker/Dockerfile.jvm" \
    --build-arg "BASE=$base" --label "org.opencontainers.image.version=$version" \
    --label "org.opencontainers.image.revision=$revision" --label "org.opencontainers.image.created=$created" \
    -t "$image" "$m" >/dev/null \
    || { echo "build.sh: building $image on $base failed (a base that cannot be pulled from here? --base-rootfs debootstrap makes one from Debian packages)" >&2; exit 1; }
  say "built $image ($(buildah images --format '{{.Size}}, id {{.ID}}' "$image" | head -1 | tr -s ' '))"
  if [ -n "$output" ]; then
    kind=${output%%:*}
    dir=${output#*:}
    mkdir -p "$dir"
    archive="$dir/mqttbackends-$m-$version.tar"
    rm -f "$archive"
    # A docker-archive carries the name, so `docker load` tags it; an oci-archive carries it as its ref name.
    if [ "$kind" = docker-archive ]; then
      buildah push -q "$image" "docker-archive:$archive:$image" >/dev/null
    else
      buildah push -q "$image" "oci-archive:$archive:$image" >/dev/null
    fi
    say "wrote $archive ($(du -h "$archive" | cut -f1))"
  fi
done
say "done: $(for m in "${modules[@]}"; do printf 'localhost/mqttbackends/%s:%s ' "$m" "$version"; done)"
