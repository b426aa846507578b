#!/usr/bin/env bash
# Run one portctl command for the composite action (action.yml) and map its exit code.
#
# Why a script file: the inputs arrive as environment variables (never spliced into shell
# source, so a crafted input cannot inject commands), and the exit-code mapping can be tested
# outside GitHub Actions. Reads:
#   PORTCTL_COMMAND             sub-command (required)
#   PORTCTL_ARGS                arguments, split like a POSIX shell (quotes, no expansion)
#   PORTCTL_ALLOWED_EXIT_CODES  comma-separated codes that count as success (default 0)
#   PORTCTL_STDOUT_FILE         also write standard output to this file
#   PORTCTL_ENV_FILE_CONTENT    dotenv text for ${NAME} references: written to a private
#                               temporary file passed as --env-file, every value masked
#   PORTCTL_PLAN_KEY            passed through to portctl (plan signing); unset when empty, so
#                               a workflow may always map the secret, set or not
#   GITHUB_OUTPUT               receives exitcode=N
# Python runs isolated (-I): nothing in the working directory, which may be a pull request's
# files, is ever imported.
set -uo pipefail

if [ -z "${PORTCTL_PLAN_KEY:-}" ]; then
  unset PORTCTL_PLAN_KEY
fi

command="${PORTCTL_COMMAND:-}"
allowed_codes="${PORTCTL_ALLOWED_EXIT_CODES:-0}"
if [ -z "$command" ]; then
  echo "::error title=portctl action::input 'command' is empty"
  exit 1
fi

argv=()
if [ -n "${PORTCTL_ARGS:-}" ]; then
  split='import os, shlex, sys; sys.stdout.write("".join(a + "\0" for a in shlex.split(os.environ["PORTCTL_ARGS"])))'
  mapfile -d '' argv < <(python -I -c "$split")
fi

if [ -n "${PORTCTL_ENV_FILE_CONTENT:-}" ]; then
  env_file="$(umask 077 && mktemp "${RUNNER_TEMP:-/tmp}/portctl.XXXXXX.env")"
  trap 'rm -f "$env_file"' EXIT
  printf '%s\n' "$PORTCTL_ENV_FILE_CONTENT" > "$env_file"
  # Parse with python-dotenv (a portctl dependency) so exactly what portctl reads is masked;
  # a multi-line value is masked line by line.
  mask='import sys
from dotenv import dotenv_values
for value in dotenv_values(sys.argv[1]).values():
    for line in (value or "").splitlines():
        if line.strip():
            print("::add-mask::" + line)'
  python -I -c "$mask" "$env_file"
  argv+=(--env-file "$env_file")
fi

if [ -n "${PORTCTL_STDOUT_FILE:-}" ]; then
  portctl "$command" "${argv[@]}" | tee "$PORTCTL_STDOUT_FILE"
  code=${PIPESTATUS[0]}
else
  portctl "$command" "${argv[@]}"
  code=$?
fi
echo "exitcode=$code" >> "${GITHUB_OUTPUT:-/dev/null}"

IFS=',' read -ra allowed <<< "$allowed_codes"
for ok in "${allowed[@]}"; do
  if [ "${ok// /}" = "$code" ]; then
    echo "portctl $command exited $code (allowed: $allowed_codes)"
    exit 0
  fi
done
echo "::error title=portctl $command::exited $code (allowed: $allowed_codes)"
# An unexpected 0 (e.g. only "2" allowed) must still fail the step.
exit $((code == 0 ? 1 : code))
