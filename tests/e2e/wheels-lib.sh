# Shared set-up for the wheel tests (t3005, t4006; sourced after lib.sh
# and debian-lib.sh): the self-made wheels and OS packages of
# tests/fixtures/make-wheels.sh in $WF, and the Debian python3-minimal
# closure in $DEB.
export XDG_CACHE_HOME=$WORK/xdg-cache

make_fixture make-wheels "$WORK/wf"
WF=$WORK/wf
DEB=$(mirror_for deb)
