# QMP helpers for the lab tests that drive a vmras started with --qmp
# unix:$SOCK (on top of lib.sh and mce-lib.sh). POSIX sh.
#
#   ctl COMMAND [ARGS-JSON]   vmras-ctl's reply (or its failure) on one line
#   status                    query-status's "status"
#   qmp_follow FILE           wait for $SOCK, then follow its events into FILE
#                             in the background ($FOLLOWER its pid)

ctl() { timeout 20 vmras-ctl --socket "$SOCK" "$@" 2>&1 || echo "(vmras-ctl exit $?)"; }
status() { ctl query-status | sed -n 's/.*"status":"\([a-z-]*\)".*/\1/p'; }

qmp_follow() { # FILE
	_t=50
	while [ ! -S "$SOCK" ] && [ $_t -gt 0 ]; do sleep 0.1; _t=$((_t - 1)); done
	vmras-ctl --socket "$SOCK" events >"$1" 2>&1 &
	# shellcheck disable=SC2034 # for the caller
	FOLLOWER=$!
	# The follower has negotiated before anything it should see happens.
	sleep 1
}
