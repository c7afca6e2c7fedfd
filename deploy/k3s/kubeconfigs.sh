#!/bin/sh
# One-shot (docker-compose.yaml service edge-kubeconfigs): wait for each k3s server's
# kubeconfig and rewrite its server address from 127.0.0.1 to the compose service name,
# so Airflow's edge-cluster connections reach https://k3s-north:6443 and k3s-south.
# Bounded: gives up after 180 seconds.
set -eu
for site in north south; do
  src="/k3s/$site.yaml"
  i=0
  until [ -s "$src" ]; do
    i=$((i + 1))
    [ "$i" -le 180 ] || { echo "no kubeconfig from k3s-$site after 180s" >&2; exit 1; }
    sleep 1
  done
  sed "s#https://127.0.0.1:6443#https://k3s-$site:6443#" "$src" > "/kube/$site.yaml.tmp"
  chmod 644 "/kube/$site.yaml.tmp"
  mv "/kube/$site.yaml.tmp" "/kube/$site.yaml"
  echo "wrote /kube/$site.yaml"
done
