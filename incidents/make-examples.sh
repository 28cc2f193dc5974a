#!/usr/bin/env bash
# Rebuilds the example incidents in this folder by running the tool itself in
# a scratch repository with a fixed clock, then copying the records here.
# The examples double as test fixtures: re-run after a format change and
# review the diff.
#
#   cargo build && incidents/make-examples.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
project=$(dirname "$here")
bin=${INCIDENT_BIN:-$project/target/debug/incident}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
git init -q -b main
git config user.name "Alice Moreau"
git config user.email alice@example.com
export TZ=UTC GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL
mkdir -p runbooks/services
cp "$project"/runbooks/services/*.md runbooks/services/
git add runbooks && git commit -q -m "service runbooks"

# Runs the tool at a fixed time as a given person.
at() {
  local when=$1 who=$2; shift 2
  GIT_AUTHOR_NAME="$who" GIT_AUTHOR_EMAIL="$(echo "${who%% *}" | tr 'A-Z' 'a-z')@example.com" \
    INCIDENT_NOW="$when" "$bin" "$@" >/dev/null
}

# As `at`, printing what the tool prints (an action's id).
out() {
  local when=$1 who=$2; shift 2
  GIT_AUTHOR_NAME="$who" GIT_AUTHOR_EMAIL="$(echo "${who%% *}" | tr 'A-Z' 'a-z')@example.com" \
    INCIDENT_NOW="$when" "$bin" "$@"
}

# 1. A customer-facing SEV1 with a commander handoff.
day=2026-03-14
at ${day}T09:12:00Z "Sam Okafor" declare "Checkout fails for EU customers" \
  --impact major --urgency high --service checkout --commander "Alice Moreau" \
  --detected-at ${day}T09:04:00Z --started-at ${day}T08:51:00Z \
  --summary "Card payments from EU customers fail at the last checkout step with a gateway error (HTTP 502). Support saw the first tickets at 09:04."
id=checkout-fails-for-eu-customers
export INCIDENT=$id
at ${day}T09:14:00Z "Alice Moreau" role support "Sam Okafor"
at ${day}T09:15:00Z "Alice Moreau" role scribe "Bo Lindqvist"
at ${day}T09:16:00Z "Bo Lindqvist" check announce
at ${day}T09:16:00Z "Bo Lindqvist" check confirm-roles
at ${day}T09:17:00Z "Bo Lindqvist" check record-roles
at ${day}T09:18:00Z "Bo Lindqvist" sme "Dana Reyes" --area "payment gateway integration"
at ${day}T09:19:00Z "Bo Lindqvist" note --kind update "Support: 140 tickets so far, all EU cards; US and UK payments look normal."
at ${day}T09:21:00Z "Bo Lindqvist" note --kind finding "Gateway returns 502 for requests routed through the eu-west edge only; error rate there is 38%."
at ${day}T09:22:00Z "Bo Lindqvist" impact "EU customers paying by card cannot complete checkout: about 38% of EU card payments fail. Other regions and payment methods work."
at ${day}T09:24:00Z "Bo Lindqvist" note --kind suggestion "Dana: fail over EU traffic to the us-east edge while we look at eu-west."
at ${day}T09:25:00Z "Bo Lindqvist" check dashboard
at ${day}T09:26:00Z "Bo Lindqvist" check provider-status
at ${day}T09:27:00Z "Bo Lindqvist" summary --publish
at ${day}T09:29:00Z "Sam Okafor" note --kind update "Status page updated: EU card payments failing, next update 10:00."
at ${day}T09:31:00Z "Bo Lindqvist" note --kind redefinition "Not an EU-wide outage: only cards whose issuer needs 3-D Secure fail; the eu-west edge drops the 3DS callback."
at ${day}T09:33:00Z "Bo Lindqvist" note --kind finding "The eu-west edge's TLS certificate for the 3DS callback host expired at 08:50 UTC."
at ${day}T09:32:00Z "Bo Lindqvist" impact "Customers whose card needs 3-D Secure verification cannot pay; other cards and payment methods work."
at ${day}T09:34:00Z "Alice Moreau" status identified
at ${day}T09:38:00Z "Alice Moreau" role commander "Carmen Ruiz"
at ${day}T09:39:00Z "Carmen Ruiz" role accept commander
at ${day}T09:41:00Z "Bo Lindqvist" note --kind milestone "Renewed certificate deployed to the eu-west edge."
at ${day}T09:42:00Z "Bo Lindqvist" summary --publish
at ${day}T09:47:00Z "Carmen Ruiz" status mitigated
at ${day}T09:47:00Z "Bo Lindqvist" impact "No failed 3-D Secure payments since 09:45; we are watching to make sure the fix holds."
at ${day}T09:48:00Z "Sam Okafor" note --kind update "3DS payments succeed again from EU test cards; ticket rate back to normal."
at ${day}T09:55:00Z "Carmen Ruiz" check commander.impact-ended
at ${day}T09:56:00Z "Sam Okafor" check support.impact-ended
at ${day}T09:57:00Z "Bo Lindqvist" action add --owner "Dana Reyes" --due 2026-03-28 "Alert when any edge certificate expires within 14 days."
at ${day}T09:58:00Z "Bo Lindqvist" note --kind action --owner "Carmen Ruiz" "Add the 3DS callback host to the certificate inventory."
at ${day}T10:05:00Z "Carmen Ruiz" status resolved
unset INCIDENT

# 2. An internal SEV3.
day=2026-05-02
at ${day}T13:40:00Z "Priya Natarajan" declare "CI runners out of disk" --type internal \
  --impact minor --urgency high --commander "Priya Natarajan" --detected-at ${day}T13:30:00Z \
  --summary "Builds on the shared CI runners fail with 'no space left on device'; merges are blocked."
export INCIDENT=ci-runners-out-of-disk
at ${day}T13:42:00Z "Priya Natarajan" role scribe "Leo Martins"
at ${day}T13:43:00Z "Priya Natarajan" role support "Priya Natarajan"
at ${day}T13:45:00Z "Leo Martins" impact "Engineers cannot merge: CI builds fail on runners 3-7. No customer impact."
at ${day}T13:50:00Z "Leo Martins" note --kind finding "Docker build cache on runners 3-7 is at 100%; the nightly prune job has not run since Tuesday."
at ${day}T13:58:00Z "Leo Martins" note --kind milestone "Pruned the build cache by hand on all runners; builds pass again."
at ${day}T14:00:00Z "Priya Natarajan" status mitigated
at ${day}T14:05:00Z "Priya Natarajan" check commander.impact-ended
at ${day}T14:05:00Z "Priya Natarajan" check support.impact-ended
action=$(out ${day}T14:06:00Z "Leo Martins" action add --owner "Leo Martins" --due 2026-05-09 "Fix the prune job's schedule and alert when it has not run for a day.")
at ${day}T14:10:00Z "Priya Natarajan" status resolved
at ${day}T15:40:00Z "Leo Martins" action done "$action" --link https://git.example.com/infra/ci-runners/pull/318
at ${day}T16:00:00Z "Priya Natarajan" status closed
unset INCIDENT

# 3. A drill on the search service, left out of `incident stats` by default.
day=2026-08-19
at ${day}T10:00:00Z "Leo Martins" declare "Drill: search results stale" --drill \
  --impact moderate --urgency medium --service search --commander "Leo Martins"
export INCIDENT=drill-search-results-stale
at ${day}T10:02:00Z "Leo Martins" role scribe "Bo Lindqvist"
at ${day}T10:03:00Z "Leo Martins" role support "Sam Okafor"
at ${day}T10:20:00Z "Bo Lindqvist" note --kind finding "Indexing lag is 3h: the pipeline consumer was paused for the drill."
at ${day}T10:25:00Z "Leo Martins" status mitigated
at ${day}T10:30:00Z "Leo Martins" status resolved --force
unset INCIDENT

find "$here" -mindepth 1 -maxdepth 1 ! -name make-examples.sh ! -name README.md -exec rm -rf {} +
cp -r "$scratch/incidents/." "$here/"
echo "examples rebuilt in $here"
