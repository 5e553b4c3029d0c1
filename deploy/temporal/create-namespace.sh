#!/bin/sh
# One-shot after the server is healthy (service temporal-create-namespace, image temporalio/admin-tools): the
# namespace, then the contract's search attributes (docs/workflow.md). Namespaces and search attributes live in the
# server's metadata, so this needs a running frontend; the schema itself was applied before the server started.
# Idempotent: what already exists is left alone.
set -eu

ns=${DEFAULT_NAMESPACE:-default}

tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "Temporal at $TEMPORAL_ADDRESS is not healthy" >&2; exit 1; }
  sleep 2
done

temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$ns" --retention "${NAMESPACE_RETENTION:-720h}"

# name:type, as the workflow upserts them (workflows/search-attributes.ts).
for attribute in KycStatus:Keyword CustomerReference:Keyword KycEscalated:Bool; do
  name=${attribute%%:*}
  type=${attribute#*:}
  if temporal operator search-attribute list --namespace "$ns" | grep -qw "$name"; then
    echo "search attribute $name: present"
  else
    temporal operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
  fi
done
temporal operator search-attribute list --namespace "$ns"
