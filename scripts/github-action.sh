#!/usr/bin/env bash
# The run step of action.yml (a composite GitHub Action): install oomlint, check the paths,
# write SARIF for github/codeql-action/upload-sarif, and record the exit code as a step
# output (the action's last step fails the job with it, after the upload).
#
# Inputs come as environment variables (action.yml passes `inputs.*` through `env:`, never
# into the script text, so an input cannot inject shell code):
#   OOMLINT_PATHS        paths to check, split on whitespace (unset: .; empty: every host
#                        the configuration's [hosts.NAME] tables describe)
#   OOMLINT_SARIF        the SARIF file to write (default: oomlint.sarif)
#   OOMLINT_FAIL_ON      --fail-on level (default: the configuration's, else warning)
#   OOMLINT_BASELINE     a baseline file to apply (optional)
#   OOMLINT_ANNOTATIONS  true: workflow annotations on standard output; else concise text
#   OOMLINT_ARGS         more arguments for `oomlint check`, split on whitespace
#   OOMLINT_VERSION      a version of oomlint from PyPI; empty: the action's own checkout
#   OOMLINT_INSTALL      false: use the oomlint already installed (tests)
#   OOMLINT_CMD          the command to run, split on whitespace (default: oomlint)
# Writes `exit-code` and `sarif-file` to $GITHUB_OUTPUT. Exits 0 unless installing failed.
set -uo pipefail

sarif="${OOMLINT_SARIF:-oomlint.sarif}"
if [ "${OOMLINT_INSTALL:-true}" = true ]; then
  if [ -n "${OOMLINT_VERSION:-}" ]; then
    python -m pip install --quiet "oomlint==${OOMLINT_VERSION}" || exit 2
  else
    python -m pip install --quiet "${GITHUB_ACTION_PATH:?not run by GitHub Actions}" || exit 2
  fi
fi

read -r -a cmd <<< "${OOMLINT_CMD:-oomlint}"
read -r -a paths <<< "${OOMLINT_PATHS-.}"
read -r -a extra <<< "${OOMLINT_ARGS:-}"
args=(check "${paths[@]}")
[ -n "${OOMLINT_FAIL_ON:-}" ] && args+=(--fail-on "$OOMLINT_FAIL_ON")
[ -n "${OOMLINT_BASELINE:-}" ] && args+=(--baseline "$OOMLINT_BASELINE")
if [ "${OOMLINT_ANNOTATIONS:-false}" = true ]; then stdout_format=github; else stdout_format=concise; fi
# Two outputs in one run: --format and --output are paired in order.
args+=(--format "$stdout_format" --format sarif --output - --output "$sarif" "${extra[@]}")

"${cmd[@]}" "${args[@]}"
rc=$?
out="${GITHUB_OUTPUT:-/dev/null}"
echo "exit-code=$rc" >> "$out"
if [ -s "$sarif" ]; then echo "sarif-file=$sarif" >> "$out"; fi
exit 0
