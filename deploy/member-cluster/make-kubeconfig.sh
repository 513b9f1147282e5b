#!/usr/bin/env bash
# Builds a kubeconfig for the `polis` ServiceAccount of deploy/member-cluster/polis-agent-rbac.yaml, to hand to
#   polis cluster add NAME --kubeconfig FILE --vendor … --region … --zone … --network-zone … --role …
# Run it with a kubectl that administers the member cluster (after `kubectl apply -f polis-agent-rbac.yaml`).
# It prints the kubeconfig on stdout (or writes --output FILE with mode 0600); it holds a credential: keep it off
# shared disks and delete it once polis has it (polis keeps it encrypted as a PlatformSecret).
#
# The server written into the kubeconfig must be the API server address *polis* reaches, which is often not the
# one in your own kubeconfig (a public endpoint vs the VPC-internal one, a dedicated line, a gateway): pass
# --server. When that address is not in the API server certificate (a NAT or load-balancer IP), pass
# --tls-server-name with a name that is, rather than turning TLS verification off.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: make-kubeconfig.sh [--server URL] [--tls-server-name NAME] [--context CONTEXT] [--name CLUSTER]
                          [--duration DURATION] [--output FILE]

  --server URL            API server URL as polis reaches it (default: the one of the current kubectl context)
  --tls-server-name NAME  name to verify the API server certificate against when URL's host is not in it
  --context CONTEXT       kubectl context of the member cluster (default: the current one)
  --name CLUSTER          cluster and context name inside the kubeconfig (default: member)
  --duration DURATION     use a bound token from `kubectl create token` that expires after DURATION (e.g. 8760h)
                          instead of the long-lived token Secret polis-system/polis-token
  --output FILE           write the kubeconfig to FILE (mode 0600) instead of stdout
USAGE
}

server=''
tls_server_name=''
context=''
name='member'
duration=''
output=''
namespace='polis-system'
account='polis'
secret='polis-token'

while (($# > 0)); do
  case "$1" in
    --server) server="${2:?--server needs a URL}"; shift 2 ;;
    --tls-server-name) tls_server_name="${2:?--tls-server-name needs a name}"; shift 2 ;;
    --context) context="${2:?--context needs a context name}"; shift 2 ;;
    --name) name="${2:?--name needs a name}"; shift 2 ;;
    --duration) duration="${2:?--duration needs a duration such as 8760h}"; shift 2 ;;
    --output | -o) output="${2:?--output needs a file}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "make-kubeconfig.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

kc=(kubectl)
[[ -n "$context" ]] && kc+=(--context "$context")

fail() {
  echo "make-kubeconfig.sh: $*" >&2
  exit 1
}

"${kc[@]}" -n "$namespace" get serviceaccount "$account" >/dev/null ||
  fail "no ServiceAccount $namespace/$account: kubectl apply -f deploy/member-cluster/polis-agent-rbac.yaml first"

if [[ -z "$server" ]]; then
  server="$("${kc[@]}" config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
  [[ -n "$server" ]] || fail "the kubectl context names no server: pass --server"
  echo "make-kubeconfig.sh: using server $server from the kubectl context; pass --server if polis reaches the" \
    "API server at another address" >&2
fi
[[ "$server" == https://* ]] || fail "--server must be an https:// URL: over plain HTTP the token would cross the network in clear"

# The CA that signed the API server certificate: from the token Secret (Kubernetes copies the cluster CA into it),
# or, for a bound token, from the kube-root-ca.crt ConfigMap every namespace has.
if [[ -n "$duration" ]]; then
  token="$("${kc[@]}" -n "$namespace" create token "$account" --duration "$duration")"
  ca_data="$("${kc[@]}" -n "$namespace" get configmap kube-root-ca.crt -o jsonpath='{.data.ca\.crt}' | base64 | tr -d '\n')"
else
  for _ in $(seq 1 20); do
    token_b64="$("${kc[@]}" -n "$namespace" get secret "$secret" -o jsonpath='{.data.token}' 2>/dev/null || true)"
    [[ -n "$token_b64" ]] && break
    sleep 0.5 # the token controller fills the Secret a moment after it is created
  done
  [[ -n "${token_b64:-}" ]] ||
    fail "Secret $namespace/$secret has no token: is it applied, and is the token controller running?"
  token="$(printf '%s' "$token_b64" | base64 -d)"
  ca_data="$("${kc[@]}" -n "$namespace" get secret "$secret" -o jsonpath='{.data.ca\.crt}')"
fi
[[ -n "$ca_data" ]] || fail "found no cluster CA certificate"

tls_line=''
[[ -n "$tls_server_name" ]] && tls_line=$'\n      tls-server-name: '"$tls_server_name"

kubeconfig="$(
  cat <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: ${name}
    cluster:
      server: ${server}
      certificate-authority-data: ${ca_data}${tls_line}
users:
  - name: ${namespace}-${account}
    user:
      token: ${token}
contexts:
  - name: ${name}
    context:
      cluster: ${name}
      user: ${namespace}-${account}
current-context: ${name}
KUBECONFIG
)"

if [[ -n "$output" ]]; then
  (
    umask 077
    printf '%s\n' "$kubeconfig" >"$output"
  )
  chmod 600 "$output"
  echo "make-kubeconfig.sh: wrote $output; check it with: kubectl --kubeconfig $output auth can-i --list" >&2
else
  printf '%s\n' "$kubeconfig"
fi
