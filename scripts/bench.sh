#!/usr/bin/env bash
# `make bench`: the scenarios in bench/.
exec "$(dirname "$0")/../bench/run.sh" "$@"
