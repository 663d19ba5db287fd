# Sourced by the app tests: a scratch folder, removed on exit, as the working directory and as
# the home of convstep's settings and unsaved edits, so no test touches the user's own.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
