#!/usr/bin/env bash
# Resolve the Apache Kafka (KRaft) broker classpath from Maven Central, once per
# version, into $GRIDEDGE_CACHE_DIR/kafka/<version>/libs. Prints the libs dir.
# Called by scripts/bootstrap.sh and by gridedge.devstack.kafka.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
source "$here/versions.env"

OUT="$GRIDEDGE_CACHE_DIR/kafka/$KAFKA_VERSION"

fetch() {
  need java "Install a Java 17+ runtime (Debian: openjdk-17-jre-headless)."
  need mvn "Install Apache Maven (Debian: maven)."
  log "resolving Kafka $KAFKA_VERSION from Maven (cold: about a minute; cached in $OUT)"
  rm -rf "$OUT/libs.tmp"; mkdir -p "$OUT"
  mvn -q -B -f "$here/kafka/pom.xml" \
      -Dkafka.version="$KAFKA_VERSION" -Dkafka.scala="$KAFKA_SCALA" \
      -Dlog4j.version="$LOG4J_VERSION" -Dslf4j.version="$SLF4J_VERSION" \
      -Dmaven.repo.local="$GRIDEDGE_CACHE_DIR/m2" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$OUT/libs.tmp" \
      >"$OUT/mvn.log" 2>&1 \
    || { tail -20 "$OUT/mvn.log" >&2; die "Maven could not resolve Kafka $KAFKA_VERSION (log: $OUT/mvn.log)"; }
  ls "$OUT/libs.tmp"/kafka_"$KAFKA_SCALA"-"$KAFKA_VERSION".jar >/dev/null || die "kafka jar missing after resolve"
  rm -rf "$OUT/libs"; mv "$OUT/libs.tmp" "$OUT/libs"
  touch "$OUT/.complete"
}

if [[ ! -f "$OUT/.complete" ]]; then
  with_lock "kafka-$KAFKA_VERSION" fetch
fi
echo "$OUT/libs"
